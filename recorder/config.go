package main

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
)

// config is everything the recorder reads from its environment. It is
// validated once at start so that a typo fails loudly instead of surfacing as
// a lost recording hours later.
type config struct {
	Listen        string
	LiveKitURL    string
	APIKey        string
	APISecret     string
	S3Endpoint    string // host:port, scheme stripped
	S3Secure      bool   // true for an https:// endpoint
	S3Region      string
	S3Bucket      string
	S3AccessKeyID string
	S3SecretKey   string
	WebhookURL    string
	SpoolDir      string
}

// configError names the offending variable; main prints it and exits 2.
type configError struct {
	Var    string
	Reason string
}

func (e *configError) Error() string { return e.Var + ": " + e.Reason }

func loadConfig(getenv func(string) string) (*config, error) {
	req := func(name string) (string, error) {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return "", &configError{name, "is required"}
		}
		return v, nil
	}
	c := &config{}
	var err error
	if c.Listen, err = req("RECORDER_LISTEN"); err != nil {
		return nil, err
	}
	if _, _, e := net.SplitHostPort(c.Listen); e != nil {
		return nil, &configError{"RECORDER_LISTEN", "must be host:port (" + e.Error() + ")"}
	}
	if c.LiveKitURL, err = req("LIVEKIT_URL"); err != nil {
		return nil, err
	}
	if e := checkURL(c.LiveKitURL, "ws", "wss", "http", "https"); e != nil {
		return nil, &configError{"LIVEKIT_URL", e.Error()}
	}
	if c.APIKey, err = req("LIVEKIT_API_KEY"); err != nil {
		return nil, err
	}
	if c.APISecret, err = req("LIVEKIT_API_SECRET"); err != nil {
		return nil, err
	}
	endpoint, err := req("S3_ENDPOINT")
	if err != nil {
		return nil, err
	}
	if e := checkURL(endpoint, "http", "https"); e != nil {
		return nil, &configError{"S3_ENDPOINT", e.Error()}
	}
	u, _ := url.Parse(endpoint)
	if u.Path != "" && u.Path != "/" {
		return nil, &configError{"S3_ENDPOINT", "must not have a path (buckets are addressed path-style)"}
	}
	c.S3Endpoint, c.S3Secure = u.Host, u.Scheme == "https"
	if c.S3Region, err = req("S3_REGION"); err != nil {
		return nil, err
	}
	if c.S3Bucket, err = req("S3_BUCKET"); err != nil {
		return nil, err
	}
	if c.S3AccessKeyID, err = req("S3_ACCESS_KEY_ID"); err != nil {
		return nil, err
	}
	if c.S3SecretKey, err = req("S3_SECRET_ACCESS_KEY"); err != nil {
		return nil, err
	}
	if c.WebhookURL, err = req("RECORDER_WEBHOOK_URL"); err != nil {
		return nil, err
	}
	if e := checkURL(c.WebhookURL, "http", "https"); e != nil {
		return nil, &configError{"RECORDER_WEBHOOK_URL", e.Error()}
	}
	if c.SpoolDir, err = req("RECORDER_SPOOL_DIR"); err != nil {
		return nil, err
	}
	if e := os.MkdirAll(c.SpoolDir, 0o750); e != nil {
		return nil, &configError{"RECORDER_SPOOL_DIR", "cannot create: " + e.Error()}
	}
	// Probe writability now rather than on the first track.
	probe, e := os.CreateTemp(c.SpoolDir, ".probe-*")
	if e != nil {
		return nil, &configError{"RECORDER_SPOOL_DIR", "not writable: " + e.Error()}
	}
	probe.Close()
	os.Remove(probe.Name())
	return c, nil
}

func checkURL(raw string, schemes ...string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("not a URL: %v", err)
	}
	for _, s := range schemes {
		if u.Scheme == s {
			if u.Host == "" {
				return fmt.Errorf("has no host")
			}
			return nil
		}
	}
	return fmt.Errorf("scheme must be one of %s", strings.Join(schemes, ", "))
}
