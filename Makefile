# Thin driver over CMake: every target below builds through build/ (or BUILD=dir).
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
PREFIX ?= /usr/local
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all check check-heavy demo bench install format clean configure deps

all: configure
	cmake --build $(BUILD) -j $(JOBS)

# Configures again when the last configure failed or the flags changed (scripts/configure.sh).
configure:
	@bash scripts/ensure-deps.sh build
	@bash scripts/configure.sh $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS)

# Every test but those labelled heavy; check-heavy runs those.
check:
	@bash scripts/ensure-deps.sh check
	@$(MAKE) --no-print-directory all
	@test -f $(BUILD)/tests/CTestTestfile.cmake || { echo "make check: the library's tests were not configured (cmocka not found; install libcmocka-dev)" >&2; exit 1; }
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -LE heavy

check-heavy:
	@bash scripts/ensure-deps.sh check
	@$(MAKE) --no-print-directory all
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

# Both over every tracked .c and .h file, with clang-format 14 and .clang-format.
format:
	bash scripts/format-check.sh --fix

.PHONY: format-check
format-check:
	bash scripts/format-check.sh

clean:
	rm -rf $(BUILD)
