/* The mapping handle the registry holds for a live map (see nsm.h). */
#include <stdlib.h>

#include "nsm.h"

void nsm_mapping_free(void *mapping) {
  nsm_map *h = (nsm_map *)mapping;
  if (!h) return;
  npy_mapping_free(h->m);
  free(h);
}
