/* OAuth client credentials: the form, the signed client assertion, token and AADSTS answers. */
#include "test_support.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include "core/xalloc.h"
#include "net/http.h"
#include "net/oauth.h"

#define TOKEN_URL "https://login.example.test/contoso.test/oauth2/v2.0/token"
#define APP       "0b3e4c1d-5a6f-4e2b-8c9d-1a2b3c4d5e6f"

static struct oauth *
cert_oauth(enum oauth_alg alg)
{
	char cert[1024], key[1024];
	snprintf(cert, sizeof(cert), "%s", t_fixture("graph/app_cert.pem"));
	snprintf(key, sizeof(key), "%s", t_fixture("graph/app_key.pem"));
	struct oauth_config c = { .token_url = TOKEN_URL,
		.tenant = "contoso.test",
		.client_id = APP,
		.scope = "https://graph.microsoft.com/.default",
		.certificate_file = cert,
		.private_key_file = key,
		.alg = alg };
	struct source_error err = { 0 };
	struct oauth *o = oauth_create(&c, &err);
	if (!o)
		fail_msg("oauth_create: %s", err.message);
	return o;
}

static unsigned char *
b64url_decode(const char *s, size_t n, size_t *len_out)
{
	char *std = xmalloc(n + 4);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		std[k++] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	while (k % 4)
		std[k++] = '=';
	unsigned char *out = xmalloc(k);
	int len = EVP_DecodeBlock(out, (unsigned char *)std, (int)k);
	assert_true(len >= 0);
	size_t pad = (size_t)(n % 4 == 2 ? 2 : n % 4 == 3 ? 1 : 0);
	*len_out = (size_t)len - pad;
	free(std);
	return out;
}

static cJSON *
segment_json(const char *s, size_t n)
{
	size_t len;
	unsigned char *raw = b64url_decode(s, n, &len);
	cJSON *json = cJSON_ParseWithLength((const char *)raw, len);
	free(raw);
	assert_non_null(json);
	return json;
}

static X509 *
load_cert(void)
{
	FILE *fp = fopen(t_fixture("graph/app_cert.pem"), "r");
	assert_non_null(fp);
	X509 *cert = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	assert_non_null(cert);
	return cert;
}

/* Verifies the JWT as Entra ID would: signature with the uploaded certificate, then claims. */
static void
verify_assertion(const char *jwt, enum oauth_alg alg)
{
	const char *dot1 = strchr(jwt, '.'), *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	assert_non_null(dot2);
	cJSON *header = segment_json(jwt, (size_t)(dot1 - jwt));
	cJSON *claims = segment_json(dot1 + 1, (size_t)(dot2 - dot1 - 1));
	assert_string_equal(
		cJSON_GetObjectItem(header, "alg")->valuestring, alg == OAUTH_ALG_PS256 ? "PS256" : "RS256");
	assert_string_equal(cJSON_GetObjectItem(header, "typ")->valuestring, "JWT");

	X509 *cert = load_cert();
	unsigned char sha256[32], sha1[20];
	unsigned int n;
	X509_digest(cert, EVP_sha256(), sha256, &n);
	X509_digest(cert, EVP_sha1(), sha1, &n);
	char *want256 = oauth_base64url(sha256, 32), *want1 = oauth_base64url(sha1, 20);
	assert_string_equal(cJSON_GetObjectItem(header, "x5t#S256")->valuestring, want256);
	assert_string_equal(cJSON_GetObjectItem(header, "x5t")->valuestring, want1);
	free(want256);
	free(want1);

	assert_string_equal(cJSON_GetObjectItem(claims, "aud")->valuestring, TOKEN_URL);
	assert_string_equal(cJSON_GetObjectItem(claims, "iss")->valuestring, APP);
	assert_string_equal(cJSON_GetObjectItem(claims, "sub")->valuestring, APP);
	assert_string_equal(cJSON_GetObjectItem(claims, "jti")->valuestring, "6a0f0d3e-1111-4222-8333-444455556666");
	assert_int_equal((long)cJSON_GetObjectItem(claims, "nbf")->valuedouble, 1793000000L);
	assert_int_equal((long)cJSON_GetObjectItem(claims, "iat")->valuedouble, 1793000000L);
	long exp = (long)cJSON_GetObjectItem(claims, "exp")->valuedouble;
	assert_true(exp > 1793000000L && exp <= 1793000000L + 600);
	cJSON_Delete(header);
	cJSON_Delete(claims);

	size_t sig_len;
	const char *sig64 = dot2 + 1;
	unsigned char *sig = b64url_decode(sig64, strlen(sig64), &sig_len);
	EVP_PKEY *pub = X509_get_pubkey(cert);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	assert_int_equal(EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, pub), 1);
	if (alg == OAUTH_ALG_PS256) {
		assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
		assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32), 1); /* JWS: salt = digest length */
	}
	assert_int_equal(EVP_DigestVerify(md, sig, sig_len, (const unsigned char *)jwt, (size_t)(dot2 - jwt)), 1);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pub);
	X509_free(cert);
	free(sig);
}

static void
test_oauth_assertion_ps256_verifies_with_certificate(void **state)
{
	struct oauth *o = cert_oauth(OAUTH_ALG_PS256);
	char *jwt = oauth_build_assertion(o, 1793000000LL, "6a0f0d3e-1111-4222-8333-444455556666");
	assert_non_null(jwt);
	verify_assertion(jwt, OAUTH_ALG_PS256);
	free(jwt);
	oauth_destroy(o);
}

static void
test_oauth_assertion_rs256_verifies_with_certificate(void **state)
{
	struct oauth *o = cert_oauth(OAUTH_ALG_RS256);
	char *jwt = oauth_build_assertion(o, 1793000000LL, "6a0f0d3e-1111-4222-8333-444455556666");
	verify_assertion(jwt, OAUTH_ALG_RS256);
	free(jwt);
	oauth_destroy(o);
}

static void
test_oauth_thumbprint_as_the_portal_shows_it(void **state)
{
	struct oauth *o = cert_oauth(OAUTH_ALG_PS256);
	char hex[48];
	assert_true(oauth_thumbprint_hex(o, hex, sizeof(hex)));
	assert_string_equal(hex, "B1C10277E285E86A8EF363348693FD085B8F8381"); /* openssl x509 -fingerprint -sha1 */
	oauth_destroy(o);
}

static void
test_oauth_certificate_form_carries_fresh_assertions(void **state)
{
	struct oauth *o = cert_oauth(OAUTH_ALG_PS256);
	char *a = oauth_build_form(o, 1793000000LL), *b = oauth_build_form(o, 1793000000LL);
	assert_non_null(strstr(a, "grant_type=client_credentials"));
	assert_non_null(
		strstr(a, "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"));
	assert_non_null(strstr(a, "&client_assertion=ey"));
	assert_null(strstr(a, "client_secret"));
	assert_string_not_equal(a, b); /* a new jti every time */
	free(a);
	free(b);
	oauth_destroy(o);
}

static void
test_oauth_secret_form_is_url_encoded(void **state)
{
	struct oauth_config c = { .token_url = TOKEN_URL,
		.client_id = APP,
		.scope = "https://graph.microsoft.com/.default",
		.client_secret = "a+b/c=d~e&f g" };
	struct source_error err = { 0 };
	struct oauth *o = oauth_create(&c, &err);
	assert_non_null(o);
	char *form = oauth_build_form(o, 0);
	assert_string_equal(form, "client_id=" APP "&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"
				  "&grant_type=client_credentials&client_secret=a%2Bb%2Fc%3Dd~e%26f%20g");
	free(form);
	char hex[48];
	assert_false(oauth_thumbprint_hex(o, hex, sizeof(hex)));
	oauth_destroy(o);
}

static void
test_oauth_bad_key_files_are_config_errors(void **state)
{
	char cert[1024], key[1024];
	snprintf(cert, sizeof(cert), "%s", t_fixture("graph/app_cert.pem"));
	snprintf(key, sizeof(key), "%s", t_fixture("graph/other_key.pem"));
	struct oauth_config c = {
		.token_url = TOKEN_URL, .client_id = APP, .certificate_file = cert, .private_key_file = key
	};
	struct source_error err = { 0 };
	assert_null(oauth_create(&c, &err));
	assert_int_equal(err.category, SOURCE_ERR_CONFIG);
	assert_non_null(strstr(err.message, "does not belong to certificate_file"));
	c.private_key_file = "/nonexistent/key.pem";
	assert_null(oauth_create(&c, &err));
	assert_non_null(strstr(err.message, "Cannot read private_key_file"));
	c.certificate_file = key; /* a key is not a certificate */
	assert_null(oauth_create(&c, &err));
	assert_non_null(strstr(err.message, "Cannot read certificate_file"));
	struct oauth_config none = { .token_url = TOKEN_URL, .client_id = APP };
	assert_null(oauth_create(&none, &err));
	assert_int_equal(err.category, SOURCE_ERR_CONFIG);
}

static void
test_oauth_token_answer(void **state)
{
	size_t len;
	char *body = file_read_capped(t_fixture("graph/token_ok.json"), 65536, &len);
	char *token = NULL;
	long expires = 0;
	struct source_error err = { 0 };
	assert_true(oauth_parse_token(body, len, &token, &expires, &err));
	assert_true(strncmp(token, "eyJ0eXAi", 8) == 0);
	assert_int_equal(expires, 3599);
	free(token);
	free(body);
	const char *v1 = "{\"token_type\":\"Bearer\",\"expires_in\":\"3600\",\"access_token\":\"abc\"}";
	assert_true(oauth_parse_token(v1, strlen(v1), &token, &expires, &err));
	assert_int_equal(expires, 3600);
	free(token);
	const char *bad[] = { "{}", "{\"access_token\":\"\"}", "{\"access_token\":\"a\\r\\nX-Evil: 1\"}",
		"{\"access_token\":\"a\",\"token_type\":\"mac\"}", "not json" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(oauth_parse_token(bad[i], strlen(bad[i]), &token, &expires, &err));
		assert_int_equal(err.category, SOURCE_ERR_BAD_RESPONSE);
	}
}

static void
expect_aadsts(long code, long status, enum source_category cat, const char *needle)
{
	char name[64];
	size_t len;
	snprintf(name, sizeof(name), "graph/token_aadsts%ld.json", code);
	char *body = file_read_capped(t_fixture(name), 65536, &len);
	assert_non_null(body);
	struct oauth_config c = {
		.tenant = "fabrikam.test", .client_id = APP, .scope = "https://graph.microsoft.com/.default"
	};
	struct source_error err = { 0 };
	assert_false(oauth_parse_error(&c, status, body, len, "B1C10277E285E86A8EF363348693FD085B8F8381", &err));
	if (err.category != cat || !strstr(err.message, needle))
		fail_msg("AADSTS%ld: got %s: %s", code, source_category_name(err.category), err.message);
	assert_null(strstr(err.message, "Trace ID"));
	free(body);
}

static void
test_oauth_aadsts_errors_speak(void **state)
{
	expect_aadsts(90002, 400, SOURCE_ERR_CONFIG, "no tenant 'fabrikam.test'");
	expect_aadsts(700016, 400, SOURCE_ERR_CONFIG, "no application with client id " APP);
	expect_aadsts(7000215, 401, SOURCE_ERR_AUTH, "client secret is wrong");
	expect_aadsts(7000222, 401, SOURCE_ERR_AUTH, "has expired");
	expect_aadsts(700027, 401, SOURCE_ERR_AUTH,
		"upload certificate_file (thumbprint B1C10277E285E86A8EF363348693FD085B8F8381)");
	expect_aadsts(700024, 401, SOURCE_ERR_AUTH, "clock");
	struct oauth_config c = { .tenant = "t" };
	struct source_error err = { 0 };
	const char *other = "{\"error\":\"invalid_request\",\"error_description\":\"AADSTS12345: Something "
			    "new.\\r\\nTrace ID: x\"}";
	assert_false(oauth_parse_error(&c, 400, other, strlen(other), NULL, &err));
	assert_int_equal(err.category, SOURCE_ERR_AUTH);
	assert_non_null(strstr(err.message, "AADSTS12345: Something new."));
	assert_null(strstr(err.message, "Trace"));
	assert_false(oauth_parse_error(&c, 503, "", 0, NULL, &err));
	assert_int_equal(err.category, SOURCE_ERR_THROTTLED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oauth_assertion_ps256_verifies_with_certificate),
		cmocka_unit_test(test_oauth_assertion_rs256_verifies_with_certificate),
		cmocka_unit_test(test_oauth_thumbprint_as_the_portal_shows_it),
		cmocka_unit_test(test_oauth_certificate_form_carries_fresh_assertions),
		cmocka_unit_test(test_oauth_secret_form_is_url_encoded),
		cmocka_unit_test(test_oauth_bad_key_files_are_config_errors),
		cmocka_unit_test(test_oauth_token_answer),
		cmocka_unit_test(test_oauth_aadsts_errors_speak),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
