#define LOG_MODULE "oauth"
#include "oauth.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include "http.h"
#include "../core/timeutil.h"
#include "../core/xalloc.h"
#include "../core/log.h"

#define DEFAULT_RENEW_EARLY_S 300
#define ASSERTION_LIFETIME_S  600 /* the docs suggest 5–10 minutes */
#define MAX_TOKEN_BODY        (64L << 10)
#define MAX_TOKEN_LEN         16384
#define MAX_PEM               (64 << 10)

struct oauth {
	struct oauth_config config; /* strings owned (copies) */
	EVP_PKEY *key;
	char *x5t, *x5t_s256; /* base64url SHA-1 / SHA-256 of the certificate's DER */
	unsigned char sha1[20];
	char *token;          /* NULL when none cached */
	uint64_t renew_at_ms; /* monotonic: fetch anew from here on */
	unsigned fetches;
};

static void
wipe_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

char *
oauth_base64url(const unsigned char *data, size_t len)
{
	char *out = xmalloc(4 * ((len + 2) / 3) + 1);
	int n = EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';
	for (char *p = out; *p; p++)
		*p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
	return out;
}

static bool
load_certificate(struct oauth *o, struct source_error *err)
{
	const char *cert_path = o->config.certificate_file, *key_path = o->config.private_key_file;
	FILE *fp = fopen(cert_path, "r");
	X509 *cert = fp ? PEM_read_X509(fp, NULL, NULL, NULL) : NULL;
	if (fp)
		fclose(fp);
	if (!cert)
		return source_fail(err, SOURCE_ERR_CONFIG,
			"Cannot read certificate_file %s (a PEM certificate is expected).", cert_path);
	fp = fopen(key_path, "r");
	o->key = fp ? PEM_read_PrivateKey(fp, NULL, NULL, NULL) : NULL;
	if (fp)
		fclose(fp);
	bool ok = false;
	unsigned char *der = NULL;
	int der_len;
	if (!o->key) {
		source_fail(err, SOURCE_ERR_CONFIG,
			"Cannot read private_key_file %s (an unencrypted PEM private key is expected; is it readable "
			"by the service user?).",
			key_path);
	} else if (EVP_PKEY_base_id(o->key) != EVP_PKEY_RSA) {
		source_fail(err, SOURCE_ERR_CONFIG,
			"private_key_file %s is not an RSA key; Entra ID client assertions are signed with RSA.",
			key_path);
	} else if (X509_check_private_key(cert, o->key) != 1) {
		source_fail(err, SOURCE_ERR_CONFIG, "private_key_file %s does not belong to certificate_file %s.",
			key_path, cert_path);
	} else if ((der_len = i2d_X509(cert, &der)) > 0) {
		unsigned char sha256[32];
		EVP_Digest(der, (size_t)der_len, o->sha1, NULL, EVP_sha1(), NULL);
		EVP_Digest(der, (size_t)der_len, sha256, NULL, EVP_sha256(), NULL);
		o->x5t = oauth_base64url(o->sha1, sizeof(o->sha1));
		o->x5t_s256 = oauth_base64url(sha256, sizeof(sha256));
		ok = true;
	} else {
		source_fail(err, SOURCE_ERR_CONFIG, "Cannot encode certificate_file %s.", cert_path);
	}
	OPENSSL_free(der);
	X509_free(cert);
	return ok;
}

struct oauth *
oauth_create(const struct oauth_config *config, struct source_error *err)
{
	struct oauth *o = xcalloc(1, sizeof(*o));
	o->config = *config;
	o->config.token_url = xstrdup(config->token_url);
	o->config.tenant = xstrdup(config->tenant);
	o->config.client_id = xstrdup(config->client_id);
	o->config.scope = xstrdup(config->scope);
	o->config.client_secret = xstrdup(config->client_secret);
	o->config.certificate_file = xstrdup(config->certificate_file);
	o->config.private_key_file = xstrdup(config->private_key_file);
	o->config.ca_file = xstrdup(config->ca_file);
	if (o->config.renew_early_s <= 0)
		o->config.renew_early_s = DEFAULT_RENEW_EARLY_S;
	bool has_cert = o->config.certificate_file && *o->config.certificate_file;
	if (!has_cert && !(o->config.client_secret && *o->config.client_secret)) {
		source_fail(err, SOURCE_ERR_CONFIG, "No client secret and no certificate for the app registration.");
		goto fail;
	}
	if (has_cert && !load_certificate(o, err))
		goto fail;
	return o;
fail:
	oauth_destroy(o);
	return NULL;
}

void
oauth_destroy(struct oauth *o)
{
	if (!o)
		return;
	wipe_free(o->token);
	wipe_free((char *)o->config.client_secret);
	free((char *)o->config.token_url);
	free((char *)o->config.tenant);
	free((char *)o->config.client_id);
	free((char *)o->config.scope);
	free((char *)o->config.certificate_file);
	free((char *)o->config.private_key_file);
	free((char *)o->config.ca_file);
	EVP_PKEY_free(o->key);
	free(o->x5t);
	free(o->x5t_s256);
	free(o);
}

bool
oauth_thumbprint_hex(const struct oauth *o, char *buf, size_t size)
{
	if (!o->key || size < 2 * sizeof(o->sha1) + 1)
		return false;
	for (size_t i = 0; i < sizeof(o->sha1); i++)
		snprintf(buf + 2 * i, 3, "%02X", o->sha1[i]);
	return true;
}

static char *
json_segment(cJSON *obj)
{
	char *s = cJSON_PrintUnformatted(obj);
	cJSON_Delete(obj);
	if (!s)
		abort();
	char *b64 = oauth_base64url((const unsigned char *)s, strlen(s));
	cJSON_free(s);
	return b64;
}

static unsigned char *
sign(EVP_PKEY *key, enum oauth_alg alg, const char *data, size_t *sig_len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *sig = NULL;
	if (!md || EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL, key) != 1)
		goto out;
	/* PS256 (RFC 7518 3.5): PSS with MGF1-SHA-256 and a salt as long as the digest. */
	if (alg == OAUTH_ALG_PS256 && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
					      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
					      EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1))
		goto out;
	if (EVP_DigestSign(md, NULL, sig_len, (const unsigned char *)data, strlen(data)) != 1)
		goto out;
	sig = xmalloc(*sig_len);
	if (EVP_DigestSign(md, sig, sig_len, (const unsigned char *)data, strlen(data)) != 1) {
		free(sig);
		sig = NULL;
	}
out:
	EVP_MD_CTX_free(md);
	return sig;
}

char *
oauth_build_assertion(struct oauth *o, long long now, const char *jti)
{
	if (!o->key)
		return NULL;
	cJSON *header = cJSON_CreateObject();
	cJSON_AddStringToObject(header, "alg", o->config.alg == OAUTH_ALG_RS256 ? "RS256" : "PS256");
	cJSON_AddStringToObject(header, "typ", "JWT");
	/* Both thumbprints: x5t#S256 is the current form, x5t (SHA-1) what older tenants match. */
	cJSON_AddStringToObject(header, "x5t", o->x5t);
	cJSON_AddStringToObject(header, "x5t#S256", o->x5t_s256);
	cJSON *claims = cJSON_CreateObject();
	cJSON_AddStringToObject(claims, "aud", o->config.token_url);
	cJSON_AddStringToObject(claims, "iss", o->config.client_id);
	cJSON_AddStringToObject(claims, "sub", o->config.client_id);
	cJSON_AddStringToObject(claims, "jti", jti);
	cJSON_AddNumberToObject(claims, "nbf", (double)now);
	cJSON_AddNumberToObject(claims, "iat", (double)now);
	cJSON_AddNumberToObject(claims, "exp", (double)(now + ASSERTION_LIFETIME_S));
	char *h = json_segment(header), *c = json_segment(claims);
	char *input = xasprintf("%s.%s", h, c);
	free(h);
	free(c);
	size_t sig_len = 0;
	unsigned char *sig = sign(o->key, o->config.alg, input, &sig_len);
	if (!sig) {
		free(input);
		return NULL;
	}
	char *s = oauth_base64url(sig, sig_len);
	char *jwt = xasprintf("%s.%s", input, s);
	free(sig);
	free(s);
	free(input);
	return jwt;
}

/* application/x-www-form-urlencoded: secrets may hold '+', '/', '=' and '~'. */
static void
append_encoded(char **buf, size_t *len, const char *key, const char *value)
{
	size_t need = *len + strlen(key) + 3 * strlen(value) + 3;
	*buf = xrealloc(*buf, need);
	char *p = *buf + *len;
	if (*len)
		*p++ = '&';
	p += snprintf(p, need - (size_t)(p - *buf), "%s=", key);
	for (const unsigned char *v = (const unsigned char *)value; *v; v++) {
		if ((*v >= 'A' && *v <= 'Z') || (*v >= 'a' && *v <= 'z') || (*v >= '0' && *v <= '9') || *v == '-' ||
			*v == '.' || *v == '_' || *v == '~')
			*p++ = (char)*v;
		else
			p += snprintf(p, 4, "%%%02X", *v);
	}
	*p = '\0';
	*len = (size_t)(p - *buf);
}

static void
make_jti(char *buf, size_t size)
{
	unsigned char r[16];
	if (RAND_bytes(r, sizeof(r)) != 1)
		abort(); /* no randomness: nothing safe to do */
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	snprintf(buf, size, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2],
		r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
}

char *
oauth_build_form(struct oauth *o, long long now)
{
	char *buf = NULL;
	size_t len = 0;
	append_encoded(&buf, &len, "client_id", o->config.client_id ? o->config.client_id : "");
	append_encoded(&buf, &len, "scope", o->config.scope ? o->config.scope : "");
	append_encoded(&buf, &len, "grant_type", "client_credentials");
	if (o->key) {
		char jti[40];
		make_jti(jti, sizeof(jti));
		char *jwt = oauth_build_assertion(o, now, jti);
		if (!jwt) {
			wipe_free(buf);
			return NULL;
		}
		append_encoded(
			&buf, &len, "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
		append_encoded(&buf, &len, "client_assertion", jwt);
		wipe_free(jwt);
	} else {
		append_encoded(&buf, &len, "client_secret", o->config.client_secret);
	}
	return buf;
}

bool
oauth_parse_token(const char *body, size_t len, char **token_out, long *expires_in_out, struct source_error *err)
{
	cJSON *root = body ? cJSON_ParseWithLength(body, len) : NULL;
	const cJSON *tok = cJSON_GetObjectItemCaseSensitive(root, "access_token");
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(root, "token_type");
	const cJSON *exp = cJSON_GetObjectItemCaseSensitive(root, "expires_in");
	bool ok = cJSON_IsString(tok) && *tok->valuestring && strlen(tok->valuestring) < MAX_TOKEN_LEN &&
		  !strpbrk(tok->valuestring, "\r\n") &&
		  (!cJSON_IsString(type) || strcasecmp(type->valuestring, "Bearer") == 0);
	long expires_in = 3599;
	/* expires_in is a number in the spec, but Entra's v1 endpoint sent it as a string. */
	if (cJSON_IsNumber(exp))
		expires_in = (long)exp->valuedouble;
	else if (cJSON_IsString(exp))
		expires_in = strtol(exp->valuestring, NULL, 10);
	if (ok) {
		*token_out = xstrdup(tok->valuestring);
		*expires_in_out = expires_in > 0 && expires_in < 86400 * 2 ? expires_in : 60;
	}
	if (root && cJSON_IsString(tok))
		explicit_bzero(tok->valuestring, strlen(tok->valuestring));
	cJSON_Delete(root);
	return ok ? true
		  : source_fail(
			    err, SOURCE_ERR_BAD_RESPONSE, "The token endpoint answered without a usable access token.");
}

static long
aadsts_code(const cJSON *root, const char *description)
{
	const cJSON *codes = cJSON_GetObjectItemCaseSensitive(root, "error_codes");
	const cJSON *first = cJSON_IsArray(codes) ? cJSON_GetArrayItem(codes, 0) : NULL;
	if (cJSON_IsNumber(first))
		return (long)first->valuedouble;
	const char *p = description ? strstr(description, "AADSTS") : NULL;
	return p ? strtol(p + 6, NULL, 10) : 0;
}

bool
oauth_parse_error(const struct oauth_config *c, long status, const char *body, size_t len, const char *thumbprint,
	struct source_error *err)
{
	cJSON *root = body ? cJSON_ParseWithLength(body, len) : NULL;
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "error_description");
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
	char desc[200];
	/* The first sentence of the description: the rest is trace and correlation ids. */
	snprintf(desc, sizeof(desc), "%s",
		cJSON_IsString(d)   ? d->valuestring
		: cJSON_IsString(e) ? e->valuestring
				    : "");
	desc[strcspn(desc, "\r\n")] = '\0';
	long code = aadsts_code(root, desc);
	cJSON_Delete(root);
	const char *tenant = c->tenant ? c->tenant : "?", *app = c->client_id ? c->client_id : "?";
	switch (code) {
	case 90002:
	case 900023:
	case 90013:
	case 90124:
		return source_fail(err, SOURCE_ERR_CONFIG,
			"Sign-in failed: Entra ID knows no tenant '%s' (AADSTS%ld). Set [source] tenant to the "
			"Directory (tenant) ID or a verified domain; for a national cloud set authority too.",
			tenant, code);
	case 700016:
	case 90014:
		return source_fail(err, SOURCE_ERR_CONFIG,
			"Sign-in failed: there is no application with client id %s in tenant %s (AADSTS%ld). Set "
			"[source] client_id to the app registration's Application (client) ID.",
			app, tenant, code);
	case 7000215:
		return source_fail(err, SOURCE_ERR_AUTH,
			"Sign-in failed: the client secret is wrong (AADSTS7000215). Put the secret's Value (not its "
			"Secret ID) into client_secret_file.");
	case 7000222:
		return source_fail(err, SOURCE_ERR_AUTH,
			"Sign-in failed: the client secret of app %s has expired (AADSTS7000222). Create a new secret "
			"under Certificates & secrets and write it to client_secret_file.",
			app);
	case 700027:
		return source_fail(err, SOURCE_ERR_AUTH,
			"Sign-in failed: Entra ID does not accept the certificate (AADSTS%ld): upload certificate_file "
			"(thumbprint %s) to app %s under Certificates & secrets, or check that private_key_file "
			"belongs to it.",
			code, thumbprint && *thumbprint ? thumbprint : "?", app);
	case 700024:
		return source_fail(err, SOURCE_ERR_AUTH,
			"Sign-in failed: the client assertion is outside its valid time (AADSTS700024): the device's "
			"clock is wrong; check NTP.");
	case 70011:
	case 1002012:
		return source_fail(err, SOURCE_ERR_CONFIG,
			"Sign-in failed: the scope %s is not valid (AADSTS%ld): check graph_url.",
			c->scope ? c->scope : "?", code);
	}
	if (status == 429 || status == 503)
		return source_fail(err, SOURCE_ERR_THROTTLED, "The token endpoint is busy (HTTP %ld).", status);
	if (status >= 500)
		return source_fail(err, SOURCE_ERR_NETWORK, "The token endpoint failed (HTTP %ld).", status);
	return source_fail(err, status == 400 || status == 401 ? SOURCE_ERR_AUTH : SOURCE_ERR_BAD_RESPONSE,
		"Sign-in to tenant %s failed (HTTP %ld): %s", tenant, status, *desc ? desc : "no reason given");
}

static bool
fetch(struct oauth *o, struct source_error *err)
{
	char *form = oauth_build_form(o, (long long)time_now());
	if (!form)
		return source_fail(err, SOURCE_ERR_CONFIG, "Cannot sign the client assertion with private_key_file.");
	const struct http_header headers[] = {
		{ "Content-Type", "application/x-www-form-urlencoded" },
		{ "Accept", "application/json" },
	};
	struct http_request req = {
		.method = "POST",
		.url = o->config.token_url,
		.body = form,
		.headers = headers,
		.header_count = sizeof(headers) / sizeof(headers[0]),
		.ca_file = o->config.ca_file,
		.timeout_s = o->config.timeout_s,
		.max_body = MAX_TOKEN_BODY,
	};
	struct http_response resp;
	bool ok = http_perform(&req, &resp, err);
	wipe_free(form);
	if (!ok) {
		http_response_finish(&resp); /* headers of a dropped answer may be left */
		return false;
	}
	long expires_in = 0;
	char *token = NULL;
	if (resp.status == 200) {
		ok = oauth_parse_token(resp.body, resp.body_len, &token, &expires_in, err);
	} else {
		char thumb[48] = "";
		oauth_thumbprint_hex(o, thumb, sizeof(thumb));
		ok = oauth_parse_error(&o->config, resp.status, resp.body, resp.body_len, thumb, err);
		if (err && err->category == SOURCE_ERR_THROTTLED && resp.retry_after_s > 0)
			err->retry_after_ms = resp.retry_after_s * 1000;
	}
	if (resp.body)
		explicit_bzero(resp.body, resp.body_len);
	http_response_finish(&resp);
	if (!ok) {
		log_debug("token request for app %s failed: %s", o->config.client_id, err ? err->message : "");
		return false;
	}
	long early = o->config.renew_early_s < expires_in / 2 ? o->config.renew_early_s : expires_in / 2;
	wipe_free(o->token);
	o->token = token;
	o->renew_at_ms = time_mono_ms() + (uint64_t)(expires_in - early) * 1000;
	o->fetches++;
	log_info("got an access token for app %s, valid %ld s", o->config.client_id, expires_in);
	return true;
}

const char *
oauth_token(struct oauth *o, struct source_error *err)
{
	if (o->token && time_mono_ms() < o->renew_at_ms)
		return o->token;
	return fetch(o, err) ? o->token : NULL;
}

void
oauth_invalidate(struct oauth *o)
{
	wipe_free(o->token);
	o->token = NULL;
}

unsigned
oauth_fetch_count(const struct oauth *o)
{
	return o->fetches;
}
