/*
 * app.h — the kiosk program: command line, configuration, content, then the UI.
 */
#ifndef KK_APP_H
#define KK_APP_H

/* Run the kiosk with main()'s arguments; returns the process exit status:
 * 0 ok, 1 failure (message printed), 2 usage / configuration / script error. */
int kk_app_main(int argc, char **argv);

#endif
