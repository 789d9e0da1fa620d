/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The run transactions of luks2/reenc.h: load a reencryption, rewrite its
 * hotzones to the end (finishing first what a crash left rewritten but not
 * final, committing the progress of resilience none when the run ends),
 * change the resilience on resume, recover a crash, sign unverified
 * metadata. A front end only parses, prompts, prints and exits.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "luks2/reenc_internal.h"

int reenc_load(struct reenc_dev *dev, const char *pass, size_t pass_len, int keyslot,
	       uint64_t max_hotzone, struct reenc_ctx **ctx)
{
	struct reenc_status st;
	int r;

	*ctx = NULL;
	r = reenc_status(dev, 0, &st);
	if (!r)
		r = reenc_state_check(&st, 0);
	if (!r)
		r = reenc_ctx_load(ctx, &dev->d, pass, pass_len, keyslot, max_hotzone);
	if (!r)
		(*ctx)->max_hotzone = max_hotzone;
	return r;
}

void reenc_get_progress(struct reenc_ctx *c, uint64_t *done, uint64_t *total)
{
	*done = reenc_progress(c);
	*total = c->device_size;
}

static void report(struct reenc_ctx *c, const struct reenc_run_params *p, int finished)
{
	struct reenc_progress pr = {
		.total = c->device_size, .offset = c->offset, .length = c->length,
		.finished = finished,
	};

	pr.done = finished ? pr.total : reenc_progress(c);
	log_verbose("offset=%ju length=%ju remaining=%ju", (uintmax_t)c->offset,
		    (uintmax_t)c->length, (uintmax_t)(pr.total - pr.done));
	if (p->progress)
		p->progress(&pr, p->arg);
}

/* Resilience none commits its progress once, when the run ends. */
static int commit_none(struct reenc_ctx *c)
{
	int r = reenc_commit_progress(c);

	if (r < 0)
		log_err("resilience none: cannot commit the progress of this run (%s); the "
			"header still describes its start", strerror(-r));
	return r;
}

static int run_hotzones(struct reenc_ctx *c, const struct reenc_run_params *p)
{
	uint64_t n = 0;
	int r, fatal = 0;

	/* all rewritten, metadata not final: a crash before the final commit */
	r = reenc_finish_if_done(c);
	if (r != 0)
		return r < 0 ? r : REENC_RUN_FINISHED;
	while (!(p->stop && *p->stop) && (!p->hotzones || n < p->hotzones)) {
		r = reenc_step(c, &fatal);
		if (r < 0)
			break;
		n++;
		report(c, p, r == 1);
		if (r == 1)
			break;
	}
	if (r == 0 && c->res == REENC_RES_NONE && n) {
		r = commit_none(c);
		if (r < 0)
			return r == -EUCLEAN ? -EIO : r;
	}
	if (r < 0)
		return fatal ? -EUCLEAN : r == -EUCLEAN ? -EIO : r;
	if (r == 1)
		return REENC_RUN_FINISHED;
	return p->stop && *p->stop ? REENC_RUN_STOPPED : REENC_RUN_MORE;
}

/* Online (reenc_set_active): NAME is stacked onto the helper devices for
 * the run and gets the table of the metadata after it. */
int reenc_run(struct reenc_ctx *c, const struct reenc_run_params *p)
{
	int r = reenc_online_begin(c);

	return r < 0 ? r : reenc_online_end(c, run_hotzones(c, p));
}

/* Move a context's contents into a new allocation and back, so that the
 * caller's pointer stays valid across reenc_reload(). */
static int reload_in_place(struct reenc_ctx *c)
{
	struct reenc_ctx *tmp = malloc(sizeof(*tmp));
	struct reenc_online online = c->online;
	int r;

	if (!tmp)
		return -ENOMEM;
	*tmp = *c;
	memset(c, 0, sizeof(*c));
	r = reenc_reload(&tmp, tmp->max_hotzone);
	if (r < 0)
		return r;	/* tmp freed; c stays empty, reenc_free() is safe */
	*c = *tmp;
	c->online = online;
	free(tmp);
	return 0;
}

int reenc_set_resilience(struct reenc_ctx *c, enum reenc_res res, const char *hash)
{
	int r;

	/* cryptsetup's names on resume (src/utils_reencrypt.c
	 * reencrypt_verify_and_update_params): a decryption moving its first
	 * segment keeps its data shift */
	if (res != REENC_RES_NONE && res != REENC_RES_CHECKSUM && res != REENC_RES_JOURNAL) {
		log_err("--resilience must be checksum, journal or none");
		return -EINVAL;
	}
	if (c->res == REENC_RES_DS_CHECKSUM || c->res == REENC_RES_DS_JOURNAL) {
		if (res == REENC_RES_CHECKSUM)
			res = REENC_RES_DS_CHECKSUM;
		else if (res == REENC_RES_JOURNAL)
			res = REENC_RES_DS_JOURNAL;
	}
	if (!hash)
		hash = c->hash[0] ? c->hash : "sha256";
	r = reenc_resilience_update(c, res, hash);
	if (r <= 0)
		return r;
	log_verbose("resilience is now %s", reenc_res_name(res));
	r = reload_in_place(c);
	return r < 0 ? r : 1;
}

int reenc_recover(struct reenc_dev *dev, const char *pass, size_t pass_len, int keyslot)
{
	struct reenc_ctx *c = NULL;
	struct reenc_status st;
	int r;

	r = reenc_status(dev, 0, &st);
	if (r < 0)
		return r;
	if (st.state == REENC_STATE_NONE || st.state == REENC_STATE_CLEAN) {
		log_info("nothing to recover");
		return -EALREADY;
	}
	r = reenc_state_check(&st, 1);
	if (r < 0)
		return r;
	r = reenc_ctx_load(&c, &dev->d, pass, pass_len, keyslot, 0);
	if (!r)
		r = reenc_recover_hotzone(c);
	reenc_free(c);
	if (r < 0 && r != -EPERM && r != -ENOENT && r != -ENOTSUP)
		log_err("recovery failed; the metadata still records the interrupted hotzone");
	return r < 0 ? r : r == 1 ? REENC_RUN_FINISHED : 0;
}

int reenc_repair(struct reenc_dev *dev, const char *pass, size_t pass_len, int keyslot)
{
	struct reenc_status st;
	int r = reenc_status(dev, 0, &st);

	if (r < 0)
		return r;
	if (st.state != REENC_STATE_REPAIR) {
		log_err("the reencryption metadata is not waiting for a repair");
		return -EINVAL;
	}
	return reenc_repair_sign(&dev->d, keyslot, pass, pass_len);
}
