/* mb1_loader.h: loading a Multiboot (v1) ELF32 guest into its RAM and
 * building its Multiboot information (Multiboot Specification 0.6.96,
 * sections 3.1 "OS image format", 3.2 "Machine state", 3.3 "Boot
 * information format"). Works on a RAM buffer, so it is host-testable. */
#ifndef VMM_MB1_LOADER_H
#define VMM_MB1_LOADER_H

#include <stddef.h>
#include <stdint.h>

#define MB1_HEADER_MAGIC 0x1badb002U
#define MB1_BOOT_MAGIC   0x2badb002U  /* EAX at entry */
#define MB1_SEARCH_LEN   8192
#define MB1_INFO_GPA     0x9000ULL    /* the info, mmap and command line live here */
#define MB1_INFO_END     0x9fc00ULL   /* top of guest low RAM */
#define MB1_LOW_KIB      639

#define MB1_MAX_MODULES  8
#define MB1_MODSTR_MAX   128

struct mb1_module {
	const uint8_t *data;
	uint64_t size;
	const char *cmdline;
};

struct mb1_result {
	uint32_t entry;     /* EIP */
	uint32_t mbi;       /* EBX: guest-physical address of the information */
	uint32_t load_lo, load_hi;  /* lowest and highest loaded byte + 1 */
};

/* Load `image` into ram[0 .. ram_size) (guest-physical 0 ..). Returns 0, or
 * -EINVAL / -ENOSPC with a message in err naming what is wrong. */
int mb1_load(uint8_t *ram, uint64_t ram_size, const uint8_t *image, uint64_t image_size,
	     const char *cmdline, struct mb1_result *out, char *err, size_t errlen);
/* Copy modules into guest RAM after the loaded image (page aligned) and
 * list them in the information mb1_load() built (mods_count, mods_addr;
 * Multiboot 3.3). Returns 0 or -ENOSPC / -E2BIG with err set. */
int mb1_add_modules(uint8_t *ram, uint64_t ram_size, const struct mb1_module *mods, unsigned n,
		    struct mb1_result *res, char *err, size_t errlen);

#endif
