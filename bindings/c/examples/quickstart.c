/* npystore quickstart (placeholder: the full example, storing and reading an array
 * in the file store, replaces this file).
 *
 * Contract with scripts/quickstart.sh, which builds and runs it:
 *   quickstart STORE_DIR     STORE_DIR is an empty directory to use as a file store
 */
#include <stdio.h>

#include <npystore.h>

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s STORE_DIR\n", argv[0]);
    return 2;
  }
  printf("npystore %s; file store at %s\n", npy_version(), argv[1]);
  return 0;
}
