# IMAP harnesses (included by fuzz/CMakeLists.txt when tern_imap exists). Seeds in
# corpus/imap_command/ and corpus/imap_syntax/. Built at -O1 like tern_imap (see
# src/imap/CMakeLists.txt): at -O0 libFuzzer spends its time on coverage of inlined helpers.
tern_fuzzer(imap_command_fuzz SOURCES imap_command_fuzz.cpp LIBS tern_imap)
tern_fuzzer(imap_syntax_fuzz SOURCES imap_syntax_fuzz.cpp LIBS tern_imap)
target_compile_options(imap_command_fuzz PRIVATE -O1)
target_compile_options(imap_syntax_fuzz PRIVATE -O1)
