# IMAP harnesses (included by fuzz/CMakeLists.txt when tern_imap exists). Seeds in
# corpus/imap_command/, corpus/imap_syntax/ and corpus/imap_session/. Built at -O1 like tern_imap (see
# src/imap/CMakeLists.txt): at -O0 libFuzzer spends its time on coverage of inlined helpers.
tern_fuzzer(imap_command_fuzz SOURCES imap_command_fuzz.cpp LIBS tern_imap)
tern_fuzzer(imap_syntax_fuzz SOURCES imap_syntax_fuzz.cpp LIBS tern_imap)
target_compile_options(imap_command_fuzz PRIVATE -O1)
target_compile_options(imap_syntax_fuzz PRIVATE -O1)
# The whole session over the in-memory backend of the unit tests (tests/imap/fake_backend.hpp).
tern_fuzzer(imap_session_fuzz SOURCES imap_session_fuzz.cpp LIBS tern_imap)
target_include_directories(imap_session_fuzz PRIVATE ${PROJECT_SOURCE_DIR}/tests/imap)
target_compile_options(imap_session_fuzz PRIVATE -O1)
