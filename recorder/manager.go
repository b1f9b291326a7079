package main

import (
	"context"
	"errors"
	"regexp"
	"sync"
	"time"

	"github.com/livekit/protocol/livekit"
)

const (
	connectTimeout = 10 * time.Second
	// Stopped recordings are remembered this long so a retried stop (or start)
	// gets the same answer instead of a 404.
	finishedTTL = time.Hour
	finishedMax = 1000
)

var (
	errUnknownRecording = errors.New("unknown recording")
	errConflict         = errors.New("recording id already used for another room or prefix")
	errShuttingDown     = errors.New("recorder is shutting down")
)

type finishedRecording struct {
	view    recordingView
	results []*livekit.EgressInfo
	at      time.Time
}

// manager owns every recording of the process.
type manager struct {
	d *deps

	mu       sync.Mutex
	closing  bool
	active   map[string]*session
	pending  map[string]chan struct{} // recording id -> closed when its connect attempt ends
	finished map[string]*finishedRecording
}

func newManager(d *deps) *manager {
	return &manager{d: d, active: map[string]*session{}, pending: map[string]chan struct{}{},
		finished: map[string]*finishedRecording{}}
}

// start joins the room for a new recording id, or describes the existing one.
func (m *manager) start(id, room, prefix string) (recordingView, error) {
	for {
		m.mu.Lock()
		m.pruneLocked()
		if s := m.active[id]; s != nil {
			m.mu.Unlock()
			if s.room != room || s.prefix != prefix {
				return recordingView{}, errConflict
			}
			return s.view(), nil
		}
		if f := m.finished[id]; f != nil {
			m.mu.Unlock()
			if f.view.Room != room {
				return recordingView{}, errConflict
			}
			return f.view, nil
		}
		if wait := m.pending[id]; wait != nil {
			// Same id being started concurrently: wait for that attempt.
			m.mu.Unlock()
			<-wait
			continue
		}
		if m.closing {
			m.mu.Unlock()
			return recordingView{}, errShuttingDown
		}
		done := make(chan struct{})
		m.pending[id] = done
		m.mu.Unlock()

		s := newSession(m.d, id, room, prefix, m.onStopped)
		ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
		err := s.connect(ctx)
		cancel()

		m.mu.Lock()
		delete(m.pending, id)
		if err == nil {
			m.active[id] = s
		}
		m.mu.Unlock()
		close(done)
		if err != nil {
			err = &connectError{err}
			s.log.Error("could not join the room", "error", err.Error())
			go s.stop("connect failed", true) // leave, and finish any track that slipped in
			return recordingView{}, err
		}
		return s.view(), nil
	}
}

type connectError struct{ err error }

// tokenInURL matches a token passed as a query parameter, which an SDK error
// message could echo back; it is never logged or returned.
var tokenInURL = regexp.MustCompile(`access_token=[^&\s"]+`)

func (e *connectError) Error() string {
	return "could not join the room: " + tokenInURL.ReplaceAllString(e.err.Error(), "access_token=REDACTED")
}

// onStopped moves a finished session to the short-term memory.
func (m *manager) onStopped(s *session) {
	v := s.view()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.active[s.id] != s {
		return // a failed connect: it was never visible
	}
	delete(m.active, s.id)
	m.finished[s.id] = &finishedRecording{view: v, results: s.results, at: time.Now()}
}

// stop ends a recording and returns every track's final EgressInfo.
func (m *manager) stop(id string) ([]*livekit.EgressInfo, error) {
	m.mu.Lock()
	s := m.active[id]
	f := m.finished[id]
	m.mu.Unlock()
	switch {
	case s != nil:
		return s.stop("recording stopped", true), nil
	case f != nil:
		return f.results, nil
	}
	return nil, errUnknownRecording
}

func (m *manager) get(id string) (recordingView, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s := m.active[id]; s != nil {
		return s.view(), nil
	}
	if f := m.finished[id]; f != nil {
		return f.view, nil
	}
	return recordingView{}, errUnknownRecording
}

func (m *manager) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.active)
}

// stopAll is the graceful shutdown: refuse new recordings, stop every active
// one as /stop would (upload + egress_ended COMPLETE).
func (m *manager) stopAll() {
	m.mu.Lock()
	m.closing = true
	var connecting []chan struct{}
	for _, ch := range m.pending {
		connecting = append(connecting, ch)
	}
	m.mu.Unlock()
	for _, ch := range connecting {
		<-ch // a join in flight becomes active (or fails) before we look
	}
	m.mu.Lock()
	var all []*session
	for _, s := range m.active {
		all = append(all, s)
	}
	m.mu.Unlock()
	var wg sync.WaitGroup
	for _, s := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.stop("recorder shutting down", true)
		}()
	}
	wg.Wait()
}

func (m *manager) pruneLocked() {
	now := time.Now()
	for id, f := range m.finished {
		if now.Sub(f.at) > finishedTTL {
			delete(m.finished, id)
		}
	}
	for len(m.finished) > finishedMax {
		var oldest string
		for id, f := range m.finished {
			if oldest == "" || f.at.Before(m.finished[oldest].at) {
				oldest = id
			}
		}
		delete(m.finished, oldest)
	}
}
