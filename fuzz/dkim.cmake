# DKIM harnesses (included by fuzz/CMakeLists.txt when target tern_dkim exists): the
# DKIM-Signature and key-record tag parsers, canonicalization and verification. Seeds live in
# corpus/dkim/.
tern_fuzzer(dkim_fuzz SOURCES dkim_fuzz.cpp LIBS tern_dkim)
# DMARC records and organizational domains, on the same corpus style (corpus/dmarc/).
tern_fuzzer(dmarc_fuzz SOURCES dmarc_fuzz.cpp LIBS tern_dmarc)
