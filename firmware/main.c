/* main.c — the kiosk's entry point: wiring only (see app/app.c). */
#include "app/app.h"

int main(int argc, char **argv)
{
	return kk_app_main(argc, argv);
}
