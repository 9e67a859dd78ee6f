# POP3 harnesses (included by fuzz/CMakeLists.txt when target tern_pop3 exists). Seeds live in
# corpus/pop3_session/.
tern_fuzzer(pop3_session_fuzz SOURCES pop3_session_fuzz.cpp LIBS tern_pop3)
