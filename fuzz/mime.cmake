# mime harnesses (included by fuzz/CMakeLists.txt when target tern_mime exists). Seeds in
# corpus/mime_structure/ and corpus/mime_text/.
tern_fuzzer(mime_structure_fuzz SOURCES mime_structure_fuzz.cpp LIBS tern_mime)
tern_fuzzer(mime_text_fuzz SOURCES mime_text_fuzz.cpp LIBS tern_mime)
