/*
 * err.h — error codes shared by every module.
 *
 * Functions return 0 on success or a negative kk_err. kk_err_name() gives a stable
 * English name for logs; the UI maps codes to Chinese messages a resident can act on.
 */
#ifndef KK_BASE_ERR_H
#define KK_BASE_ERR_H

enum kk_err {
	KK_OK = 0,
	KK_ENOMEM = -1,   /* allocation failed */
	KK_EIO = -2,      /* read/write/OS error */
	KK_EINVAL = -3,   /* bad argument or malformed input */
	KK_E2BIG = -4,    /* input over a cap */
	KK_ENOENT = -5,   /* file or record not found */
	KK_ECORRUPT = -6, /* data present but damaged */
	KK_EVERSION = -7, /* schema or format version not supported */
	KK_EUTF8 = -8,    /* invalid UTF-8 */
	KK_EDB = -9,      /* database error */
	KK_EFONT = -10,   /* font missing or unusable */
	KK_EDISPLAY = -11, /* no display could be opened */
	KK_ETIMEDOUT = -12, /* a peer (printer, server) did not answer in time */
	KK_ENODEV = -13,    /* the device went away (unplugged) or was never there */
	KK_ECANCELED = -14, /* stopped on request (cancel flag) */
	KK_EPROTO = -15,    /* a peer broke its protocol (bad IPP/HTTP answer, stall) */
	KK_EBUSY = -16,     /* resource in use (interface claimed elsewhere, job running) */
	KK_ENOSPC = -17,    /* not enough space on the target file system */
	KK_EPERM = -18,     /* refused by policy (limit reached, signature, rollback) */
	KK_EAGAIN = -19     /* nothing now, try again later */
};

/* Returns a static string naming err ("ENOMEM" ...); never NULL. */
const char *kk_err_name(int err);

#endif
