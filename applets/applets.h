/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The applet list: one line per registered applet, the single source. */
APPLET("luks2-status", luks2_status_main)
APPLET("luks2-init-reencrypt", luks2_init_reencrypt_main)
APPLET("hotzone-step", hotzone_step_main)
APPLET("luks2-recover", luks2_recover_main)
