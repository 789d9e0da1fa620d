/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Prototypes of every applet's main, from the applet list. */
#ifndef APPLETS_APPLET_H
#define APPLETS_APPLET_H

#define APPLET(name, fn, about) int fn(int argc, char **argv);
#include "applets/applets.h"
#undef APPLET

#endif
