/* The smallest npystore consumer: prints the library version and checks that the
 * header it was compiled with matches the library it runs with.
 *
 * ctest builds it against the installed tree three ways (CMake package, pkg-config
 * shared, pkg-config --static) and passes one option proving which library ran:
 *   consumer                     print the version
 *   consumer --shared-from DIR   libnpystore must be loaded from DIR (the install)
 *   consumer --static            no libnpystore shared object may be loaded
 * On Windows the shared library is npystore.dll (the CMake package tests only).
 */
#ifdef _WIN32
#include <windows.h>
#define PATH_MAX MAX_PATH
#define SEPARATORS "\\/"
#else
#define _GNU_SOURCE /* dl_iterate_phdr, realpath */
#include <link.h>
#include <limits.h>
#define SEPARATORS "/"
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <npystore.h>

#ifdef _WIN32
/* Path of the loaded npystore.dll into `found` (PATH_MAX bytes), "" when none is. */
static void loaded_npystore(char *found) {
  HMODULE dll = GetModuleHandleA("npystore.dll");
  found[0] = '\0';
  if (dll != NULL && GetModuleFileNameA(dll, found, PATH_MAX) == 0) found[0] = '\0';
}
/* `path` made absolute, with backslashes; NULL when that fails. */
static char *absolute(const char *path, char *out) {
  DWORD n = GetFullPathNameA(path, PATH_MAX, out, NULL);
  return n > 0 && n < PATH_MAX ? out : NULL;
}
/* Windows paths compare without case. */
static int path_prefix_differs(const char *a, const char *b, size_t n) { return _strnicmp(a, b, n); }
#else
/* Path of the loaded libnpystore shared object, "" when none is loaded. */
static int find_npystore(struct dl_phdr_info *info, size_t size, void *found) {
  (void)size;
  if (strstr(info->dlpi_name, "libnpystore") != NULL) {
    snprintf(found, PATH_MAX, "%s", info->dlpi_name);
    return 1;
  }
  return 0;
}
static void loaded_npystore(char *found) {
  found[0] = '\0';
  dl_iterate_phdr(find_npystore, found);
}
static char *absolute(const char *path, char *out) { return realpath(path, out); }
static int path_prefix_differs(const char *a, const char *b, size_t n) { return strncmp(a, b, n); }
#endif

int main(int argc, char **argv) {
  char want[64];
  snprintf(want, sizeof want, "%d.%d.%d", NPYSTORE_VERSION_MAJOR, NPYSTORE_VERSION_MINOR,
           NPYSTORE_VERSION_PATCH);
  printf("npystore %s (header %s)\n", npy_version(), want);
  if (strcmp(npy_version(), want) != 0) {
    fprintf(stderr, "header and library versions differ\n");
    return 1;
  }

  char loaded[PATH_MAX];
  loaded_npystore(loaded);
  if (argc == 2 && strcmp(argv[1], "--static") == 0) {
    if (loaded[0] != '\0') {
      fprintf(stderr, "expected a static link, but %s is loaded\n", loaded);
      return 1;
    }
    printf("linked statically\n");
  } else if (argc == 3 && strcmp(argv[1], "--shared-from") == 0) {
    char dir[PATH_MAX], lib[PATH_MAX];
    if (absolute(argv[2], dir) == NULL || loaded[0] == '\0' || absolute(loaded, lib) == NULL) {
      fprintf(stderr, "libnpystore not loaded (or %s missing)\n", argv[2]);
      return 1;
    }
    size_t n = strlen(dir);
    if (path_prefix_differs(lib, dir, n) != 0 || lib[n] == '\0' || strchr(SEPARATORS, lib[n]) == NULL ||
        strpbrk(lib + n + 1, SEPARATORS) != NULL) {
      fprintf(stderr, "libnpystore loaded from %s, expected it in %s\n", lib, dir);
      return 1;
    }
    printf("loaded %s\n", loaded);
  } else if (argc != 1) {
    fprintf(stderr, "usage: %s [--static | --shared-from DIR]\n", argv[0]);
    return 2;
  }
  return 0;
}
