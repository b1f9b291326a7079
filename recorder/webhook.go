package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/go-logr/logr"

	"github.com/livekit/protocol/livekit"
	"github.com/livekit/protocol/logger"
	"github.com/livekit/protocol/utils/guid"
	"github.com/livekit/protocol/webhook"
)

// notifier sends egress events with LiveKit's own webhook client
// (protocol/webhook.URLNotifier): protojson body, Content-Type
// application/webhook+json, and an Authorization token signed with the API
// key/secret carrying the body's SHA-256, which is exactly what
// livekit-server-sdk's WebhookReceiver verifies. Using the library rather than
// re-implementing the signature keeps us byte-compatible with real egress.
//
// Ordering: the notifier queues events by EventKey, which for egress events is
// the egress id, and runs each key's queue in order on one worker, so a
// track's egress_started is always delivered (or given up on) before its
// egress_ended.
//
// Retries: retryablehttp with exponential backoff from 250 ms capped at 16 s,
// 8 retries (about 50 s of waiting, ~1 min with request time). Like LiveKit it
// retries connection errors, 429 and 5xx; other 4xx answers are final.
type notifier struct {
	n   *webhook.URLNotifier
	log *slog.Logger

	mu      sync.Mutex
	pending map[string]chan struct{} // event id -> closed once the notifier is done with it
}

func newNotifier(c *config, log *slog.Logger) *notifier {
	// The notifier counts deliveries in Prometheus metrics that must be
	// registered first (LiveKit's server does this at start-up).
	webhook.InitWebhookStats(nil)
	nt := &notifier{log: log, pending: map[string]chan struct{}{}}
	nt.n = webhook.NewURLNotifier(webhook.URLNotifierParams{
		HTTPClientParams: webhook.HTTPClientParams{
			RetryWaitMin:  250 * time.Millisecond,
			RetryWaitMax:  16 * time.Second,
			MaxRetries:    8,
			ClientTimeout: 10 * time.Second,
		},
		// The library's own success/failure lines go to our JSON log at warn.
		Logger:    logger.LogRLogger(logr.FromSlogHandler(levelHandler(log.Handler(), slog.LevelWarn))),
		URL:       c.WebhookURL,
		APIKey:    c.APIKey,
		APISecret: c.APISecret,
	})
	nt.n.RegisterProcessedHook(nt.processed)
	return nt
}

func (nt *notifier) processed(_ context.Context, whi *livekit.WebhookInfo) {
	switch {
	case whi.IsDropped:
		nt.log.Error("webhook dropped (queue full)", "event", whi.Event, "egressId", whi.EgressId, "eventId", whi.EventId)
	case whi.SendError != "":
		nt.log.Error("webhook delivery failed", "event", whi.Event, "egressId", whi.EgressId, "eventId", whi.EventId, "error", whi.SendError)
	default:
		nt.log.Info("webhook sent", "event", whi.Event, "egressId", whi.EgressId, "status", whi.ServiceStatus, "ms", whi.SendDurationNs/1e6)
	}
	nt.mu.Lock()
	if ch, ok := nt.pending[whi.EventId]; ok {
		close(ch)
		delete(nt.pending, whi.EventId)
	}
	nt.mu.Unlock()
}

// send queues an egress event; the returned channel closes once it was
// delivered or given up on.
func (nt *notifier) send(event string, info *livekit.EgressInfo) <-chan struct{} {
	ev := &livekit.WebhookEvent{
		Event:      event,
		Id:         guid.New("EV_"),
		CreatedAt:  time.Now().Unix(),
		EgressInfo: info,
	}
	done := make(chan struct{})
	nt.mu.Lock()
	nt.pending[ev.Id] = done
	nt.mu.Unlock()
	if err := nt.n.QueueNotify(context.Background(), ev); err != nil {
		nt.log.Error("webhook not queued", "event", event, "egressId", info.EgressId, "error", err.Error())
		nt.mu.Lock()
		delete(nt.pending, ev.Id)
		nt.mu.Unlock()
		close(done)
	}
	return done
}

// drain waits for queued events to be delivered (used at shutdown).
func (nt *notifier) drain() { nt.n.Stop(false) }

// levelHandler raises the minimum level of a slog handler.
func levelHandler(h slog.Handler, min slog.Level) slog.Handler { return minLevel{h, min} }

type minLevel struct {
	slog.Handler
	min slog.Level
}

func (m minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= m.min && m.Handler.Enabled(ctx, l)
}
func (m minLevel) WithAttrs(a []slog.Attr) slog.Handler {
	return minLevel{m.Handler.WithAttrs(a), m.min}
}
func (m minLevel) WithGroup(n string) slog.Handler { return minLevel{m.Handler.WithGroup(n), m.min} }
