# SPF harness (included by fuzz/CMakeLists.txt when target tern_spf exists). Seeds in corpus/spf/.
tern_fuzzer(spf_fuzz SOURCES spf_fuzz.cpp LIBS tern_spf)
