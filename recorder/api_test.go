package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/livekit/protocol/auth"
)

func testAPI(t *testing.T) (*httptest.Server, *config) {
	cfg := &config{APIKey: "devkey", APISecret: "secret"}
	d := &deps{cfg: cfg, log: slog.New(slog.DiscardHandler)}
	srv := httptest.NewServer((&api{cfg: cfg, m: newManager(d)}).routes())
	t.Cleanup(srv.Close)
	return srv, cfg
}

func token(t *testing.T, key, secret string, g *auth.VideoGrant) string {
	tok, err := auth.NewAccessToken(key, secret).SetVideoGrant(g).SetValidFor(time.Minute).ToJWT()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func do(t *testing.T, method, url, tok, body string) (int, string) {
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestAPIAuthAndValidation(t *testing.T) {
	srv, _ := testAPI(t)
	good := token(t, "devkey", "secret", &auth.VideoGrant{RoomRecord: true})
	const id = "11111111-2222-3333-4444-555555555555"
	cases := []struct {
		name, method, path, tok, body string
		code                          int
		contains                      string
	}{
		{"health needs no token", "GET", "/health", "", "", 200, `"recordings":0`},
		{"no token", "POST", "/v1/recordings", "", "{}", 401, "Bearer"},
		{"no roomRecord", "POST", "/v1/recordings", token(t, "devkey", "secret", &auth.VideoGrant{RoomAdmin: true}), "{}", 401, "roomRecord"},
		{"wrong secret", "POST", "/v1/recordings", token(t, "devkey", "other", &auth.VideoGrant{RoomRecord: true}), "{}", 401, "invalid token"},
		{"wrong key", "POST", "/v1/recordings", token(t, "otherkey", "secret", &auth.VideoGrant{RoomRecord: true}), "{}", 401, "API key"},
		{"bad json", "POST", "/v1/recordings", good, "nope", 400, "JSON"},
		{"bad id", "POST", "/v1/recordings", good, `{"recordingId":"x","room":"r","filepathPrefix":"raw/` + id + `/` + id + `/"}`, 400, "recordingId"},
		{"no room", "POST", "/v1/recordings", good, `{"recordingId":"` + id + `","filepathPrefix":"raw/` + id + `/` + id + `/"}`, 400, "room"},
		{"bad prefix", "POST", "/v1/recordings", good, `{"recordingId":"` + id + `","room":"r","filepathPrefix":"raw/x/"}`, 400, "filepathPrefix"},
		{"stop unknown", "POST", "/v1/recordings/" + id + "/stop", good, "", 404, "error"},
		{"get unknown", "GET", "/v1/recordings/" + id, good, "", 404, "error"},
		{"get needs token", "GET", "/v1/recordings/" + id, "", "", 401, "error"},
	}
	for _, c := range cases {
		code, body := do(t, c.method, srv.URL+c.path, c.tok, c.body)
		if code != c.code || !strings.Contains(body, c.contains) {
			t.Errorf("%s: %d %s", c.name, code, body)
		}
	}
}

func TestConfigNamesBadVariable(t *testing.T) {
	env := map[string]string{
		"RECORDER_LISTEN": "127.0.0.1:7090", "LIVEKIT_URL": "ws://127.0.0.1:7880", "LIVEKIT_API_KEY": "k",
		"LIVEKIT_API_SECRET": "s", "S3_ENDPOINT": "http://127.0.0.1:7070", "S3_REGION": "us-east-1",
		"S3_BUCKET": "b", "S3_ACCESS_KEY_ID": "a", "S3_SECRET_ACCESS_KEY": "x",
		"RECORDER_WEBHOOK_URL": "http://127.0.0.1:3001/v1/livekit/webhook", "RECORDER_SPOOL_DIR": t.TempDir(),
	}
	if _, err := loadConfig(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	for k, bad := range map[string]string{"LIVEKIT_URL": "localhost:7880", "S3_ENDPOINT": "http://h/x", "RECORDER_LISTEN": "7090", "S3_BUCKET": ""} {
		old := env[k]
		env[k] = bad
		_, err := loadConfig(func(k string) string { return env[k] })
		if ce, ok := err.(*configError); !ok || ce.Var != k {
			t.Errorf("%s=%q: %v", k, bad, err)
		}
		env[k] = old
	}
}
