// Command parley-recorder is the local and CI stand-in for LiveKit track
// egress: LiveKit's egress service cannot be built from the Go module proxy,
// so this joins rooms as a hidden participant, writes each track's encoded
// media without re-encoding (Opus to Ogg, VP8/VP9/H.264 to IVF), uploads the
// files to S3 and reports them with egress webhooks signed like LiveKit's.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/go-logr/logr"

	"github.com/livekit/protocol/logger"
	lksdk "github.com/livekit/server-sdk-go/v2"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelInfo}))
	slog.SetDefault(log)

	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "parley-recorder: bad configuration:", err)
		os.Exit(2)
	}
	// The SDK and pion log through protocol/logger; keep them to warnings in
	// our JSON stream (their info/debug lines include URLs with tokens).
	lksdk.SetLogger(logger.LogRLogger(logr.FromSlogHandler(levelHandler(log.Handler().WithAttrs(
		[]slog.Attr{slog.String("component", "livekit-sdk")}), slog.LevelWarn))))

	up, err := newUploader(cfg, log)
	if err != nil {
		fmt.Fprintln(os.Stderr, "parley-recorder: S3_ENDPOINT:", err)
		os.Exit(2)
	}
	d := &deps{cfg: cfg, log: log, up: up, hooks: newNotifier(cfg, log), spool: spool{dir: cfg.SpoolDir}}
	m := newManager(d)

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "parley-recorder: RECORDER_LISTEN:", err)
		os.Exit(2)
	}
	// Never log secrets: only the non-secret parts of the configuration.
	log.Info("parley-recorder started", "listen", ln.Addr().String(), "livekitUrl", cfg.LiveKitURL,
		"apiKey", cfg.APIKey, "s3Endpoint", cfg.S3Endpoint, "bucket", cfg.S3Bucket,
		"webhookUrl", cfg.WebhookURL, "spoolDir", cfg.SpoolDir, "pid", os.Getpid())

	srv := &http.Server{Handler: (&api{cfg: cfg, m: m, log: log}).routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server failed", "error", err.Error())
			os.Exit(1)
		}
	}()

	// Leftovers of a killed predecessor are recovered in the background so
	// the API is available at once.
	recovered := make(chan struct{})
	go func() {
		defer close(recovered)
		recoverSpool(d)
	}()

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	s := <-sig
	log.Info("shutting down: stopping every recording", "signal", s.String(), "recordings", m.count())

	// Stop recordings first (a /stop in flight keeps working meanwhile), then
	// the HTTP server, then let queued webhooks drain.
	m.stopAll()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	_ = srv.Shutdown(ctx)
	cancel()
	<-recovered
	d.hooks.drain()
	log.Info("parley-recorder stopped")
}
