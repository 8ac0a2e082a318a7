# Finds each Debian package; on failure names the apt package to install
# (scripts/install-deps installs all of them).
find_package(Threads REQUIRED)

macro(rampart_require found pkg what)
  if(NOT ${found})
    message(FATAL_ERROR "${what} not found: run scripts/install-deps (apt package ${pkg})")
  endif()
endmacro()

find_package(simdjson CONFIG QUIET)
rampart_require(simdjson_FOUND libsimdjson-dev simdjson)
find_package(SQLite3 QUIET)
rampart_require(SQLite3_FOUND libsqlite3-dev SQLite3)
find_package(yaml-cpp CONFIG QUIET)
rampart_require(yaml-cpp_FOUND libyaml-cpp-dev yaml-cpp)
find_package(OpenSSL QUIET)
rampart_require(OPENSSL_FOUND libssl-dev OpenSSL)
find_package(ZLIB QUIET)
rampart_require(ZLIB_FOUND zlib1g-dev zlib)
find_package(CLI11 CONFIG QUIET)
rampart_require(CLI11_FOUND libcli11-dev CLI11)

# Boost.Beast/Asio (header-only) for the event-driven HTTP server (docs/dependencies.md).
find_package(Boost 1.74 QUIET)
rampart_require(Boost_FOUND libboost-dev "Boost (Beast, Asio)")

if(RAMPART_BUILD_TESTS)
  find_package(GTest QUIET)
  rampart_require(GTest_FOUND libgtest-dev GoogleTest)
endif()
if(RAMPART_BUILD_BENCH)
  find_package(benchmark QUIET)
  rampart_require(benchmark_FOUND libbenchmark-dev "Google Benchmark")
endif()

# Vectorscan (the Hyperscan fork Debian ships for every architecture) and PCRE2 for the
# regular expressions Vectorscan cannot compile (backreferences, lookaround).
find_package(PkgConfig QUIET)
rampart_require(PKG_CONFIG_FOUND pkg-config pkg-config)
pkg_check_modules(HS QUIET IMPORTED_TARGET libhs)
rampart_require(HS_FOUND libvectorscan-dev Vectorscan)
pkg_check_modules(PCRE2 QUIET IMPORTED_TARGET libpcre2-8)
rampart_require(PCRE2_FOUND libpcre2-dev PCRE2)
# libsodium for the Ed25519 signatures of the audit log's checkpoints.
pkg_check_modules(SODIUM QUIET IMPORTED_TARGET libsodium)
rampart_require(SODIUM_FOUND libsodium-dev libsodium)
# Offline country lookups: a MaxMind DB the user supplies (libmaxminddb), else Debian's
# geoip-database files read with libGeoIP.
pkg_check_modules(MAXMINDDB QUIET IMPORTED_TARGET libmaxminddb)
rampart_require(MAXMINDDB_FOUND libmaxminddb-dev libmaxminddb)
pkg_check_modules(GEOIP QUIET IMPORTED_TARGET geoip)
rampart_require(GEOIP_FOUND libgeoip-dev libGeoIP)
