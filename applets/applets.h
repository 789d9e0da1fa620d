/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The applet list: one line per registered applet (name, main, the line
 * luks2box --help prints), the single source. */
APPLET("luks2-status", luks2_status_main,
       "read a LUKS2 header, report the reencryption state")
APPLET("luks2-init-reencrypt", luks2_init_reencrypt_main,
       "start a reencryption, encryption or decryption")
APPLET("hotzone-step", hotzone_step_main,
       "rewrite the next hotzone(s) and commit")
APPLET("luks2-recover", luks2_recover_main,
       "recover an interrupted hotzone, repair metadata")
APPLET("dm-remap", dm_remap_main, "open, close, show, stack dm devices as cryptsetup does")
