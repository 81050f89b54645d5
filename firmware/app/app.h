/*
 * app.h — the kiosk program: command line, configuration, content, then the UI.
 */
#ifndef KK_APP_H
#define KK_APP_H

/* The kiosk's exit status after staff applied a signed site configuration from a stick: the
 * configuration is read only at start, so the kiosk ends and systemd (Restart=always) starts
 * it again on the new kiosk.conf. 75 is EX_TEMPFAIL of sysexits.h: "try again". */
#define KK_APP_EXIT_RESTART 75

/* Run the kiosk with main()'s arguments; returns the process exit status:
 * 0 ok, 1 failure (message printed), 2 usage / configuration / script error,
 * KK_APP_EXIT_RESTART a new site configuration was applied. */
int kk_app_main(int argc, char **argv);

#endif
