# Rampart front end. `make run` and `make test` do all set-up themselves.
BUILD   ?= build
JOBS    ?= $(shell nproc)
DATA    ?= data
CMAKE_FLAGS ?=

.PHONY: all deps configure build run test bench fuzz format tidy check clean

all: build

deps:
	@scripts/install-deps

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRAMPART_BUILD_TESTS=ON \
	  -DRAMPART_BUILD_BENCH=ON $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j$(JOBS)

# Starts the server on its embedded defaults: data under ./data, listeners on 127.0.0.1.
run: build
	./$(BUILD)/rampart serve --data $(DATA)

check:
	@tools/check_source.sh

test: build check
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS) --timeout 900

bench: build
	bench/run.sh $(BUILD)

# Each libFuzzer target for FUZZ_SECONDS (default 60 s), built with clang + ASan/UBSan.
FUZZ_SECONDS ?= 60
fuzz: deps
	@cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DRAMPART_BUILD_FUZZ=ON -DRAMPART_BUILD_TESTS=OFF -DRAMPART_BUILD_BENCH=OFF >/dev/null
	@cmake --build build-fuzz -j$(JOBS)
	tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

tidy: configure
	run-clang-tidy -p $(BUILD) -quiet 'src/.*\.cc$$'

clean:
	rm -rf $(BUILD) build-fuzz
