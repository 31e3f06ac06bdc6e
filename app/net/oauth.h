/* oauth.h — OAuth 2.0 client-credentials tokens (Microsoft Entra ID), cached in memory.
 * Credentials: a client secret, or a certificate whose key signs a JWT client assertion.
 * Tokens, secrets and assertions are never logged. One oauth belongs to one thread. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "../core/error.h"

enum oauth_alg {
	OAUTH_ALG_PS256, /* RSA-PSS + SHA-256: what Entra's current docs ask for */
	OAUTH_ALG_RS256, /* RSA PKCS#1 v1.5 + SHA-256: the older, still accepted form */
};

struct oauth_config {
	const char *token_url; /* https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token */
	const char *tenant;    /* for error sentences */
	const char *client_id;
	const char *scope;            /* https://graph.microsoft.com/.default */
	const char *client_secret;    /* or: */
	const char *certificate_file; /* PEM certificate uploaded to the app registration */
	const char *private_key_file; /* its PEM private key (RSA) */
	enum oauth_alg alg;
	const char *ca_file;
	int timeout_s;
	int renew_early_s; /* renew this long before expiry; 300 when 0 */
};

struct oauth;

/* Copies the config; loads certificate and key now (so a bad file fails at start, with err
 * filled as SOURCE_ERR_CONFIG). NULL on failure. */
struct oauth *oauth_create(const struct oauth_config *config, struct source_error *err);
void oauth_destroy(struct oauth *oauth); /* accepts NULL; wipes the token */

/* A valid access token, from the cache or fetched now. Borrowed: valid until the next call
 * to oauth_token/oauth_invalidate/oauth_destroy. NULL with err filled on failure. */
const char *oauth_token(struct oauth *oauth, struct source_error *err);
/* The resource server refused the cached token (HTTP 401): forget it so the next
 * oauth_token fetches a fresh one. */
void oauth_invalidate(struct oauth *oauth);
/* How many tokens were fetched from the token endpoint (for tests and diagnostics). */
unsigned oauth_fetch_count(const struct oauth *oauth);

/* Pure parts, exposed for tests. */

/* A signed client assertion (compact JWS) for now; fresh string. NULL when signing failed
 * (no certificate configured, or libcrypto refused). */
char *oauth_build_assertion(struct oauth *oauth, long long now, const char *jti);
/* The form body of the token request; fresh string (contains the secret: wipe and free). */
char *oauth_build_form(struct oauth *oauth, long long now);
/* The certificate's SHA-1 thumbprint as upper-case hex (as the Entra portal shows it). */
bool oauth_thumbprint_hex(const struct oauth *oauth, char *buf, size_t size);
/* base64url without padding; fresh string. */
char *oauth_base64url(const unsigned char *data, size_t len);
/* Parses a 200 answer: access_token (fresh string, caller wipes) and expires_in seconds. */
bool oauth_parse_token(const char *body, size_t len, char **token_out, long *expires_in_out, struct source_error *err);
/* Turns a failed token answer (400/401 with error, error_description "AADSTS…", error_codes)
 * into a category and a sentence for the admin. Returns false. */
bool oauth_parse_error(const struct oauth_config *config, long status, const char *body, size_t len,
	const char *thumbprint, struct source_error *err);
