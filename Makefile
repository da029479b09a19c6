# Thin driver over CMake: every target below builds through build/ (or BUILD=dir).
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
PREFIX ?= /usr/local
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all check check-heavy demo bench install format clean configure deps

all: configure
	cmake --build $(BUILD) -j $(JOBS)

configure:
	@bash scripts/ensure-deps.sh build
	@test -f $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS)

check:
	@bash scripts/ensure-deps.sh check
	@$(MAKE) --no-print-directory all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -LE heavy

check-heavy: all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L heavy

demo:
	@bash scripts/ensure-deps.sh demo
	@$(MAKE) --no-print-directory all
	$(BUILD)/examples/rcgc-demo
	$(BUILD)/examples/rcgc-objgraph_demo demo-out

bench:
	@bash scripts/ensure-deps.sh bench
	@$(MAKE) --no-print-directory all BUILD_TYPE=Release BUILD=build-release
	BENCH_BUILD=$(CURDIR)/build-release bash bench/run.sh $(if $(QUICK),--quick,)

# Builds only what it installs (the libraries and the rcgc tool), then installs them.
install: configure
	cmake --build $(BUILD) -j $(JOBS) --target rcgc_installables
	cmake --install $(BUILD) --prefix $(PREFIX)

format:
	clang-format -i include/*.h src/*.c src/*.h tests/*.c tests/*.h tools/rcgc/*.c tools/rcgc/*.h

clean:
	rm -rf $(BUILD)
