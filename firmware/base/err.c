/* err.c — names for kk_err codes. */
#include "err.h"

const char *kk_err_name(int err)
{
	switch (err) {
	case KK_OK: return "OK";
	case KK_ENOMEM: return "ENOMEM";
	case KK_EIO: return "EIO";
	case KK_EINVAL: return "EINVAL";
	case KK_E2BIG: return "E2BIG";
	case KK_ENOENT: return "ENOENT";
	case KK_ECORRUPT: return "ECORRUPT";
	case KK_EVERSION: return "EVERSION";
	case KK_EUTF8: return "EUTF8";
	case KK_EDB: return "EDB";
	case KK_EFONT: return "EFONT";
	case KK_EDISPLAY: return "EDISPLAY";
	case KK_ETIMEDOUT: return "ETIMEDOUT";
	case KK_ENODEV: return "ENODEV";
	case KK_ECANCELED: return "ECANCELED";
	case KK_EPROTO: return "EPROTO";
	case KK_EBUSY: return "EBUSY";
	case KK_ENOSPC: return "ENOSPC";
	case KK_EPERM: return "EPERM";
	case KK_EAGAIN: return "EAGAIN";
	}
	return "EUNKNOWN";
}
