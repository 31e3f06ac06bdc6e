#define LOG_MODULE "http"
#include "http.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <curl/curl.h>
#include "../core/xalloc.h"
#include "../core/log.h"

#define DEFAULT_TIMEOUT_S 20
#define DEFAULT_MAX_BODY  (16L << 20)

struct body {
	char *data;
	size_t len, cap;
	size_t max;
	bool over;
};

static size_t
on_body(char *ptr, size_t size, size_t nmemb, void *user)
{
	struct body *b = user;
	size_t n = size * nmemb;
	if (b->len + n > b->max) {
		b->over = true;
		return 0; /* abort the transfer: bodies never grow past the cap */
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 16384;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->data = xrealloc(b->data, cap);
		b->cap = cap;
	}
	memcpy(b->data + b->len, ptr, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

static char *
header_value(const char *line, size_t n, const char *name)
{
	size_t len = strlen(name);
	if (n <= len + 1 || strncasecmp(line, name, len) != 0 || line[len] != ':')
		return NULL;
	const char *v = line + len + 1, *end = line + n;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	return xstrndup(v, (size_t)(end - v));
}

static void
replace(char **field, char *value)
{
	if (value) {
		free(*field);
		*field = value;
	}
}

long
http_parse_delay(const char *s, long max)
{
	if (!s || *s < '0' || *s > '9')
		return -1;
	long v = 0;
	for (; *s >= '0' && *s <= '9'; s++)
		v = v > (max - (*s - '0')) / 10 ? max : v * 10 + (*s - '0');
	return *s ? -1 : v;
}

long
http_parse_retry_after(const char *value, time_t now)
{
	if (!value || !*value)
		return -1;
	if (*value >= '0' && *value <= '9')
		return http_parse_delay(value, HTTP_RETRY_AFTER_MAX_S);
	if (!((*value >= 'A' && *value <= 'Z') || (*value >= 'a' && *value <= 'z')))
		return -1; /* "-5", " 5", "+5": not a delay-seconds, not a date */
	time_t at = curl_getdate(value, NULL);
	if (at == (time_t)-1)
		return -1;
	if (at <= now)
		return 0;
	return at - now > HTTP_RETRY_AFTER_MAX_S ? HTTP_RETRY_AFTER_MAX_S : (long)(at - now);
}

static size_t
on_header(char *line, size_t size, size_t nmemb, void *user)
{
	struct http_response *r = user;
	size_t n = size * nmemb;
	char *v;
	if (n > 5 && strncmp(line, "HTTP/", 5) == 0) {
		/* A new response (after a redirect or a 401 challenge): forget the previous headers. */
		r->retry_after_s = -1;
		return n;
	}
	if ((v = header_value(line, n, "Retry-After"))) {
		r->retry_after_s = http_parse_retry_after(v, time(NULL));
		free(v);
	}
	replace(&r->content_type, header_value(line, n, "Content-Type"));
	replace(&r->etag, header_value(line, n, "ETag"));
	replace(&r->location, header_value(line, n, "Location"));
	return n;
}

static long
curl_auth(enum http_auth auth)
{
	switch (auth) {
	case HTTP_AUTH_BASIC: return CURLAUTH_BASIC;
	case HTTP_AUTH_NTLM: return CURLAUTH_NTLM;
	case HTTP_AUTH_NEGOTIATE: return CURLAUTH_NEGOTIATE;
	default: return CURLAUTH_NONE;
	}
}

/* Turns a transport failure into a sentence an administrator can act on. */
static void
transport_error(CURLcode rc, const char *url, const char *detail, struct source_error *err)
{
	const char *host = strstr(url, "://");
	host = host ? host + 3 : url;
	int host_len = (int)strcspn(host, "/:?");
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		source_fail(err, SOURCE_ERR_NETWORK,
			"Cannot find the server %.*s (DNS lookup failed): check the URL and the network's DNS.",
			host_len, host);
		break;
	case CURLE_COULDNT_CONNECT:
		source_fail(err, SOURCE_ERR_NETWORK,
			"Cannot connect to %.*s (connection refused or no route): is the server up and the port right?",
			host_len, host);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		source_fail(err, SOURCE_ERR_NETWORK, "The server %.*s did not answer in time.", host_len, host);
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
		source_fail(err, SOURCE_ERR_NETWORK,
			"The TLS connection to %.*s failed (%s): if the server uses a private CA, set [source] ca_file "
			"to its PEM certificate.",
			host_len, host, detail);
		break;
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
		source_fail(err, SOURCE_ERR_NETWORK,
			"The connection to %.*s was dropped before the answer was complete.", host_len, host);
		break;
	default: source_fail(err, SOURCE_ERR_NETWORK, "Request to %.*s failed: %s.", host_len, host, detail);
	}
}

static struct curl_slist *
build_headers(const struct http_request *req)
{
	struct curl_slist *list = NULL;
	for (size_t i = 0; i < req->header_count; i++) {
		char *line = xasprintf("%s: %s", req->headers[i].name, req->headers[i].value);
		list = curl_slist_append(list, line);
		free(line);
	}
	if (req->auth == HTTP_AUTH_BEARER && req->bearer) {
		char *line = xasprintf("Authorization: Bearer %s", req->bearer);
		list = curl_slist_append(list, line);
		memset(line, 0, strlen(line));
		free(line);
	}
	list = curl_slist_append(list, "Expect:"); /* no 100-continue round trip */
	return list;
}

static void
setup(CURL *curl, const struct http_request *req, struct body *body, struct http_response *resp)
{
	curl_easy_setopt(curl, CURLOPT_URL, req->url);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	/* Redirects are the caller's to judge (CalDAV follows them on its own origin only); libcurl
	 * never follows one, so credentials never go to a host the configuration does not name. */
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_UNRESTRICTED_AUTH, 0L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)(req->timeout_s > 0 ? req->timeout_s : DEFAULT_TIMEOUT_S));
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "roomsign/" ROOMSIGN_VERSION);
	curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, resp);
	if (req->ca_file && *req->ca_file)
		curl_easy_setopt(curl, CURLOPT_CAINFO, req->ca_file);
	if (req->client_cert && *req->client_cert)
		curl_easy_setopt(curl, CURLOPT_SSLCERT, req->client_cert);
	if (req->client_key && *req->client_key)
		curl_easy_setopt(curl, CURLOPT_SSLKEY, req->client_key);
	if (req->http11 || req->auth == HTTP_AUTH_NTLM)
		curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	if (req->auth != HTTP_AUTH_NONE && req->auth != HTTP_AUTH_BEARER) {
		curl_easy_setopt(curl, CURLOPT_HTTPAUTH, curl_auth(req->auth));
		curl_easy_setopt(curl, CURLOPT_USERNAME, req->username ? req->username : "");
		curl_easy_setopt(curl, CURLOPT_PASSWORD, req->password ? req->password : "");
	}
	const char *method = req->method ? req->method : "GET";
	if (strcmp(method, "GET") != 0)
		curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	if (req->body) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
			(curl_off_t)(req->body_len ? req->body_len : strlen(req->body)));
	} else if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	}
}

bool
http_perform(const struct http_request *req, struct http_response *resp, struct source_error *err)
{
	memset(resp, 0, sizeof(*resp));
	resp->retry_after_s = -1;
	struct body body = { .max = (size_t)(req->max_body > 0 ? req->max_body : DEFAULT_MAX_BODY) };
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *curl = curl_easy_init();
	if (!curl)
		return source_fail(err, SOURCE_ERR_NETWORK, "Cannot start an HTTP request (libcurl init failed).");
	struct curl_slist *headers = build_headers(req);
	setup(curl, req, &body, resp);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	CURLcode rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &resp->status);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	if (body.over) {
		free(body.data);
		http_response_finish(resp);
		return source_fail(err, SOURCE_ERR_BAD_RESPONSE,
			"The server's answer was larger than %zu bytes; it was not read.", body.max);
	}
	if (rc != CURLE_OK) {
		free(body.data);
		http_response_finish(resp);
		transport_error(rc, req->url, errbuf[0] ? errbuf : curl_easy_strerror(rc), err);
		return false;
	}
	resp->body = body.data ? body.data : xstrdup("");
	resp->body_len = body.len;
	return true;
}

static size_t
on_stream_data(char *ptr, size_t size, size_t nmemb, void *user)
{
	struct http_stream *st = user;
	size_t n = size * nmemb;
	if (!st->on_data(st->ctx, ptr, n)) {
		st->stopped = true;
		return 0;
	}
	return n;
}

static int
on_stream_tick(void *user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	struct http_stream *st = user;
	if (st->on_tick && !st->on_tick(st->ctx)) {
		st->stopped = true;
		return 1;
	}
	return 0;
}

bool
http_perform_stream(const struct http_request *req, struct http_stream *stream, struct http_response *resp,
	struct source_error *err)
{
	memset(resp, 0, sizeof(*resp));
	resp->retry_after_s = -1;
	stream->stopped = false;
	struct body unused = { .max = 0 };
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *curl = curl_easy_init();
	if (!curl)
		return source_fail(err, SOURCE_ERR_NETWORK, "Cannot start an HTTP request (libcurl init failed).");
	struct curl_slist *headers = build_headers(req);
	setup(curl, req, &unused, resp);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_stream_data);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, stream);
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_stream_tick);
	curl_easy_setopt(curl, CURLOPT_XFERINFODATA, stream);
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	CURLcode rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &resp->status);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	if (rc != CURLE_OK && !stream->stopped) {
		http_response_finish(resp);
		transport_error(rc, req->url, errbuf[0] ? errbuf : curl_easy_strerror(rc), err);
		return false;
	}
	return true;
}

void
http_response_finish(struct http_response *resp)
{
	if (!resp)
		return;
	free(resp->body);
	free(resp->content_type);
	free(resp->etag);
	free(resp->location);
	memset(resp, 0, sizeof(*resp));
}

bool
http_status_error(const struct http_response *resp, const char *what, struct source_error *err)
{
	long s = resp->status;
	if (s == 401)
		return source_fail(err, SOURCE_ERR_AUTH,
			"%s: the server refused the credentials (HTTP 401): check the user name and the password file.",
			what);
	if (s == 403)
		return source_fail(err, SOURCE_ERR_PERMISSION,
			"%s: access denied (HTTP 403): the account is not allowed to use this calendar.", what);
	if (s == 404)
		return source_fail(err, SOURCE_ERR_NOT_FOUND, "%s: not found (HTTP 404): check the URL.", what);
	if (s == 429 || s == 503) {
		bool ok = source_fail(
			err, SOURCE_ERR_THROTTLED, "%s: the server is busy (HTTP %ld); retrying later.", what, s);
		err->retry_after_ms = resp->retry_after_s > 0 ? resp->retry_after_s * 1000 : 0;
		return ok;
	}
	if (s >= 500)
		return source_fail(err, SOURCE_ERR_NETWORK, "%s: the server failed (HTTP %ld).", what, s);
	return source_fail(err, SOURCE_ERR_BAD_RESPONSE, "%s: unexpected answer (HTTP %ld).", what, s);
}

bool
http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

void
http_global_cleanup(void)
{
	curl_global_cleanup();
}

char *
file_read_capped(const char *path, size_t max, size_t *len_out)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	size_t cap = max < 65536 ? max : 65536, len = 0;
	char *data = xmalloc(cap + 1);
	bool too_big = false;
	for (;;) {
		if (len == cap) {
			if (cap >= max) {
				too_big = fgetc(fp) != EOF;
				break;
			}
			cap = cap * 2 > max ? max : cap * 2;
			data = xrealloc(data, cap + 1);
		}
		size_t n = fread(data + len, 1, cap - len, fp);
		if (n == 0)
			break;
		len += n;
	}
	bool failed = ferror(fp);
	fclose(fp);
	if (failed || too_big) {
		free(data);
		errno = too_big ? EFBIG : EIO;
		return NULL;
	}
	data[len] = '\0';
	if (len_out)
		*len_out = len;
	return data;
}
