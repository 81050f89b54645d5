# Makefile — build, run and test the 政府信息公开查阅点 kiosk firmware.
#
#   make run     install missing Debian packages, build, build the sample database, start the kiosk
#   make test    install missing Debian packages, build, run every test (plain and ASan+UBSan)
#   make bench   benchmarks (figures only; never pass/fail)
#   make check   static checks: module include boundaries
#   make image BOARD=qemu-x86_64|generic-x86_64|rpi4   a board image (board/build-image.sh; root)
#   make image-test   build the qemu-x86_64 image, boot it in QEMU, wait for the first frame
#   make boot-test BOARD=generic-x86_64|rpi4   build that board's image and boot it in QEMU
#
# Dependencies come from Debian and are found with pkg-config. `make deps` installs the missing
# ones with apt-get when it runs as root or can use sudo without a password.

BUILD   ?= build
ASAN    ?= $(BUILD)/asan
CC      ?= cc
OPT     ?= -O2
WINDOW  ?= 1280x800
SAMPLE  ?= offline-db/sample

PKGS    := sdl2 SDL2_ttf SDL2_image sqlite3 libusb-1.0 jansson libxml-2.0 libsodium libcrypto freetype2 libqrencode
DEB_PKGS := build-essential pkg-config libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev \
	libsqlite3-dev libusb-1.0-0-dev libjansson-dev libxml2-dev fonts-noto-cjk \
	poppler-utils sqlite3 file bc unicode-data bzip2 \
	libgooglepinyin0 libgooglepinyin0-dev libzinnia-dev tegaki-zinnia-simplified-chinese \
	libsodium-dev libssl-dev libcurl4-openssl-dev nginx-light openssl minisign libfreetype-dev libqrencode-dev zbar-tools netpbm \
	ghostscript cups-ipp-utils cups-filters dbus \
	util-linux fdisk dosfstools mtools e2fsprogs
UNIHAN  ?= /usr/share/unicode/Unihan_Readings.txt.bz2

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CFLAGS_ALL = -std=c11 -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 $(WARN) -g $(OPT) -Ifirmware -Ioffline-db -Itests \
	-I$(BUILD)/gen $(PKG_CFLAGS) -pthread $(CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) $(IME_LIBS) -lm -pthread -ldl $(LDLIBS)
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

CORE_SRC   := $(sort $(wildcard firmware/base/*.c firmware/catalog/*.c firmware/text/*.c))
# firmware/sync/ (signed bundles, the only code with libsodium) is linked by the kiosk, by
# kioskdb (keygen, bundle, verify) and by the tests: it joins every object list through CORE_OBJ.
SYNC_SRC   := $(sort $(wildcard firmware/sync/*.c))
# The print module (device IDs, language choice, encoders, the USB transport; libusb only there,
# see make check).
PRINT_SRC  := $(sort $(wildcard firmware/print/*.c))
UI_SRC     := $(sort $(wildcard firmware/ui/*.c firmware/app/*.c))
TOOL_SRC   := $(sort $(filter-out offline-db/kioskdb/main.c,$(wildcard offline-db/kioskdb/*.c)))
GEN_SRC    := $(BUILD)/gen/schema_sql.c $(BUILD)/gen/pinyin_table.c
IME_SRC    := $(sort $(wildcard firmware/ime/*.c))
IME_CXX    := $(sort $(wildcard firmware/ime/*.cc))
TEST_SRC   := $(sort $(wildcard tests/unit/test_*.c))
HEADERS    := $(wildcard firmware/*/*.h offline-db/kioskdb/*.h tests/*.h)

obj = $(patsubst %.c,$(1)/obj/%.o,$(2))
IME_OBJ = $(call obj,$(1),$(IME_SRC)) $(patsubst %.cc,$(1)/obj/%.o,$(IME_CXX))
# The kiosk links the core and the UI; kioskdb the core and the export reader: neither carries
# the other's code (no libxml2/jansson/pdftoppm in the firmware, no SDL in the tool). Tests and
# benchmarks link everything.
CORE_OBJ  = $(call obj,$(1),$(CORE_SRC) $(SYNC_SRC) $(PRINT_SRC) $(GEN_SRC))
KIOSK_OBJ = $(call CORE_OBJ,$(1)) $(call obj,$(1),$(UI_SRC)) $(call IME_OBJ,$(1))
TOOL_OBJ  = $(call CORE_OBJ,$(1)) $(call obj,$(1),$(TOOL_SRC))
LIB_OBJ   = $(call obj,$(1),$(CORE_SRC) $(SYNC_SRC) $(PRINT_SRC) $(UI_SRC) $(TOOL_SRC) $(GEN_SRC)) $(call IME_OBJ,$(1))

.PHONY: all deps run test bench check clean sample fuzz image image-test boot-test
.SECONDARY:
all: $(BUILD)/kiosk $(BUILD)/kioskdb

# --- dependencies ---------------------------------------------------------------------------
deps:
	@missing=$$(for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	echo "deps: installing missing Debian packages:" $$missing; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; \
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	else echo "deps: missing packages and no root/sudo; run: sudo apt-get install" $$missing >&2; exit 1; fi; \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing

# --- build ----------------------------------------------------------------------------------
$(BUILD)/gen/schema_sql.c: offline-db/schema.sql tests/embed.sh
	@mkdir -p $(@D)
	sh tests/embed.sh kk_schema_sql $< > $@.tmp && mv $@.tmp $@

# The pinyin readings of the search tokenizer, from Unihan (package unicode-data), at build time.
$(BUILD)/gen/pinyin_table.c: firmware/text/pinyin.awk
	@mkdir -p $(@D)
	@test -r $(UNIHAN) || { echo "missing $(UNIHAN): run make deps (package unicode-data)" >&2; exit 1; }
	bzcat $(UNIHAN) | awk -v stage=1 -f $< | LC_ALL=C sort -u | awk -v stage=2 -f $< > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(ASAN)/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(SAN) -O1 -c $< -o $@

$(ASAN)/obj/$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(SAN) -O1 -c $< -o $@

# --- on-screen input (firmware/ime/): libgooglepinyin and libzinnia -------------------------
# libgooglepinyin's header is C++ (namespace, references, UTF-16), so firmware/ime/*.cc is a
# small shim compiled with g++ -std=c++17; its library and zinnia's need libstdc++ at link time
# (the links stay $(CC) with -lstdc++). googlepinyin's headers are only on the shim's include
# path (they have generic names such as sync.h). The pinyin dictionary lives in the multiarch
# libdir, which pkg-config knows; the zinnia model is architecture-independent data.
IME_LIBS   = $(shell pkg-config --libs googlepinyin zinnia 2>/dev/null) -lstdc++
CXXWARN   := -Wall -Wextra -Werror -Wshadow -Wmissing-declarations -Wno-unused-parameter
CXXFLAGS_ALL = -std=c++17 $(CXXWARN) -g $(OPT) -Ifirmware \
	$(shell pkg-config --cflags googlepinyin 2>/dev/null) $(CXXFLAGS)
PINYIN_DICT = $(shell pkg-config --variable=libdir googlepinyin 2>/dev/null)/googlepinyin/data/dict_pinyin.dat
$(BUILD)/obj/firmware/ime/pinyin.o $(ASAN)/obj/firmware/ime/pinyin.o: \
	CFLAGS_ALL += -DKK_PINYIN_DICT_DEFAULT='"$(PINYIN_DICT)"'

$(BUILD)/obj/%.o: %.cc $(HEADERS)
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS_ALL) -c $< -o $@

$(ASAN)/obj/%.o: %.cc $(HEADERS)
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS_ALL) $(SAN) -O1 -c $< -o $@

$(BUILD)/kiosk: $(call KIOSK_OBJ,$(BUILD)) $(BUILD)/obj/firmware/main.o
	$(CC) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/kioskdb: $(call TOOL_OBJ,$(BUILD)) $(BUILD)/obj/offline-db/kioskdb/main.o
	$(CC) -o $@ $^ $(LDLIBS_ALL)

$(ASAN)/kiosk: $(call KIOSK_OBJ,$(ASAN)) $(ASAN)/obj/firmware/main.o
	$(CC) $(SAN) -o $@ $^ $(LDLIBS_ALL)

$(ASAN)/kioskdb: $(call TOOL_OBJ,$(ASAN)) $(ASAN)/obj/offline-db/kioskdb/main.o
	$(CC) $(SAN) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(call LIB_OBJ,$(BUILD))
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(LDLIBS_ALL)

$(ASAN)/tests/%: $(ASAN)/obj/tests/unit/%.o $(call LIB_OBJ,$(ASAN))
	@mkdir -p $(@D)
	$(CC) $(SAN) -o $@ $^ $(LDLIBS_ALL)

# Fuzz targets (tests/fuzz/fuzz_*.c): `make test` replays their corpus under ASan+UBSan with
# gcc; `make fuzz` runs them with clang's libFuzzer for FUZZ_SECONDS each.
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS = $(patsubst tests/fuzz/%.c,$(ASAN)/tests/replay_%,$(FUZZ_SRC))
FUZZ_SECONDS ?= 60

$(ASAN)/tests/replay_%: $(ASAN)/obj/tests/fuzz/%.o $(ASAN)/obj/tests/fuzz/replay.o $(call LIB_OBJ,$(ASAN))
	@mkdir -p $(@D)
	$(CC) $(SAN) -o $@ $^ $(LDLIBS_ALL)

fuzz: deps
	@command -v clang >/dev/null || { echo "fuzz: needs clang (apt-get install clang)"; exit 1; }
	@mkdir -p $(BUILD)/fuzz
	for f in $(FUZZ_SRC); do n=$$(basename $$f .c); t=$${n#fuzz_}; \
		clang -g -O1 -fsanitize=fuzzer,address,undefined -Ifirmware -Ioffline-db $(PKG_CFLAGS) \
			$$f $(CORE_SRC) $(SYNC_SRC) $(PRINT_SRC) $(TOOL_SRC) $(GEN_SRC) -o $(BUILD)/fuzz/$$n $(LDLIBS_ALL) && \
		mkdir -p $(BUILD)/fuzz/corpus-$$t && cp tests/fuzz/corpus/$$t/* $(BUILD)/fuzz/corpus-$$t/ && \
		$(BUILD)/fuzz/$$n -max_total_time=$(FUZZ_SECONDS) $(BUILD)/fuzz/corpus-$$t || exit 1; done

# --- IPP printing test driver (tests/print/ipptest.c) ----------------------------------------
# tests/integration/print-ipp.sh runs it (from KK_BUILD, plain and ASan) against ippeveprinter
# (cups-ipp-utils), decoding what the printer spooled with rastertopdf (cups-filters) and
# pdftoppm (poppler-utils); ippeveprinter needs a D-Bus daemon (dbus) even with -r off.
IPPTEST_BINS = $(BUILD)/ipptest $(ASAN)/ipptest

$(BUILD)/ipptest: $(BUILD)/obj/tests/print/ipptest.o $(call CORE_OBJ,$(BUILD))
	$(CC) -o $@ $^ $(LDLIBS_ALL)

$(ASAN)/ipptest: $(ASAN)/obj/tests/print/ipptest.o $(call CORE_OBJ,$(ASAN))
	$(CC) $(SAN) -o $@ $^ $(LDLIBS_ALL)

UNIT_BINS = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRC))
ASAN_BINS = $(patsubst tests/unit/%.c,$(ASAN)/tests/%,$(TEST_SRC))

# --- the arm64 build (the rpi4 board's), tested here under qemu-user (tests/cross.sh) ---------
# board/cross-build.sh builds the kiosk and the unit tests with Debian's aarch64 cross compiler
# against an arm64 sysroot that mmdebstrap unpacks (about 130 MB of packages, cached in
# build/images/cache); tests/run.sh runs them through qemu-user and compares the arm64 kiosk's
# screens with the x86 kiosk's.
DEB_PKGS += mmdebstrap qemu-user-static binfmt-support gcc-aarch64-linux-gnu g++-aarch64-linux-gnu

# --- USB printers under umockdev (tests/usb/, tests/integration/print-usb.sh) ---------------
# usbtest drives firmware/print/usb.c through the real libusb against fake printers that
# libumockdev presents in-process (sysfs testbed from tests/usb/make_testbed.py + a usbfs ioctl
# handler playing the printers); print-usb.sh runs it under umockdev-wrapper. Only usbtest
# links libumockdev: the firmware never does.
DEB_PKGS += umockdev libumockdev-dev python3
USBTEST_CFLAGS = $(shell pkg-config --cflags umockdev-1.0 2>/dev/null)
USBTEST_LIBS   = $(shell pkg-config --libs umockdev-1.0 2>/dev/null)
USBTEST_BINS   = $(BUILD)/tests/usbtest $(ASAN)/tests/usbtest

$(BUILD)/tests/usbtest: tests/usb/usbtest.c $(call LIB_OBJ,$(BUILD)) $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(USBTEST_CFLAGS) -o $@ $< $(call LIB_OBJ,$(BUILD)) $(LDLIBS_ALL) $(USBTEST_LIBS)

$(ASAN)/tests/usbtest: tests/usb/usbtest.c $(call LIB_OBJ,$(ASAN)) $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(SAN) -O1 $(USBTEST_CFLAGS) -o $@ $< $(call LIB_OBJ,$(ASAN)) $(LDLIBS_ALL) $(USBTEST_LIBS)

$(BUILD)/sample.db: $(BUILD)/kioskdb $(wildcard $(SAMPLE)/* $(SAMPLE)/attachments/*)
	$(BUILD)/kioskdb build --src $(SAMPLE) --out $@

sample: $(BUILD)/sample.db

# --- the two commands of the README ---------------------------------------------------------
run: deps
	$(MAKE) -j$$(nproc) all $(BUILD)/sample.db
	$(BUILD)/kiosk --db $(BUILD)/sample.db --window $(WINDOW) --config assets/kiosk.conf

test: deps
	$(MAKE) -j$$(nproc) all check $(UNIT_BINS) $(ASAN_BINS) $(FUZZ_BINS) $(USBTEST_BINS) $(IPPTEST_BINS) $(ASAN)/kiosk $(ASAN)/kioskdb $(BUILD)/sample.db
	bash board/cross-build.sh --tests arm64 $(BUILD)/arm64
	tests/run.sh $(BUILD) $(ASAN) $(BUILD)/arm64

check:
	sh tests/check-boundaries.sh

$(BUILD)/bench_text: tests/bench/bench_text.c $(call LIB_OBJ,$(BUILD))
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

# The benchmark also runs Debian's Chromium on the same document (the stack most commercial
# reading terminals use) and GNU time for peak memory; installed only for `make bench`.
BENCH_PKGS := chromium time python3 nginx-light curl

$(BUILD)/bench_search: tests/bench/bench_search.c $(call LIB_OBJ,$(BUILD))
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

# Printed pages: layout, render and PCL/PWG encoding of a 12-page document at 600 dpi.
$(BUILD)/bench_print: tests/bench/bench_print.c $(call LIB_OBJ,$(BUILD))
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

bench: deps
	@$(MAKE) --no-print-directory deps DEB_PKGS="$(BENCH_PKGS)"
	$(MAKE) -j$$(nproc) all $(BUILD)/sample.db $(BUILD)/bench_text $(BUILD)/bench_search $(BUILD)/bench_print
	bash tests/bench/bench.sh $(BUILD)

# --- board images (board/): not part of `make test` (downloads ~400 MB of Debian packages and
# boots a VM; see README, Board images). Needs root. Only the tools for images are installed here.
BOARD      ?= qemu-x86_64
IMAGE_PKGS := mmdebstrap kmod zstd file qemu-system-x86 ovmf python3 bc
IMAGE_TEST_TIMEOUT ?= 600

# A board of another architecture (rpi4: arm64) gets the kiosk cross-built against a sysroot of
# that architecture's -dev packages (board/cross-build.sh), and its root file system built
# through qemu-user (binfmt_misc runs the maintainer scripts); QEMU for arm64 boots it.
BOARD_ARCH  = $(shell sed -n 's/^BOARD_ARCH=//p' board/$(BOARD)/board.conf 2>/dev/null)
HOST_ARCH   = $(shell dpkg --print-architecture)
CROSS_PKGS_arm64 := qemu-user-static binfmt-support arch-test gcc-aarch64-linux-gnu g++-aarch64-linux-gnu \
	qemu-system-arm qemu-efi-aarch64

image: deps
	@test -n "$(BOARD_ARCH)" || { echo "image: no board '$(BOARD)' (board/*/board.conf)" >&2; exit 2; }
	@$(MAKE) --no-print-directory deps DEB_PKGS="$(IMAGE_PKGS) $(if $(filter-out $(HOST_ARCH),$(BOARD_ARCH)),$(CROSS_PKGS_$(BOARD_ARCH)))"
	$(MAKE) -j$$(nproc) all $(BUILD)/sample.db
ifeq ($(BOARD_ARCH),$(HOST_ARCH))
	bash board/build-image.sh $(BOARD) $(BUILD)/images/$(BOARD).img
else
	bash board/cross-build.sh $(BOARD_ARCH) $(BUILD)/$(BOARD_ARCH)
	KIOSK_BIN=$(BUILD)/$(BOARD_ARCH)/kiosk bash board/build-image.sh $(BOARD) $(BUILD)/images/$(BOARD).img
endif

image-test:
	$(MAKE) image BOARD=qemu-x86_64
	bash board/image-test.sh $(BUILD)/images/qemu-x86_64.img $(IMAGE_TEST_TIMEOUT)

# The first boot of a real board's image in QEMU (generic-x86_64 under UEFI; rpi4's arm64
# kernel and root on QEMU's virt machine): board/boot-test.sh.
boot-test:
	$(MAKE) image BOARD=$(BOARD)
	bash board/boot-test.sh $(BOARD) $(BUILD)/images/$(BOARD).img

clean:
	rm -rf $(BUILD)
