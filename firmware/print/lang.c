/* lang.c — the table of print languages (lang.h) and helpers the encoders share. */
#include "print/lang.h"

#include <string.h>

/* Linear search of the three languages by name; NULL for an unknown or NULL name. */
const struct kk_print_lang *kk_print_lang_find(const char *name)
{
	static const struct kk_print_lang *const all[] = { &kk_print_lang_pcl, &kk_print_lang_escpos,
							   &kk_print_lang_pwg };

	if (!name)
		return NULL;
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}

/* Copies with the default applied; 0 marks a count over the cap. */
unsigned kk_print_opts_copies(const struct kk_print_opts *o)
{
	if (!o || o->copies == 0)
		return 1;
	return o->copies <= KK_PRINT_MAX_COPIES ? o->copies : 0;
}
