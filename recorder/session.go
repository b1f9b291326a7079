package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/livekit/protocol/auth"
	"github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"
)

const (
	stateConnecting = "connecting"
	stateRecording  = "recording"
	stateStopping   = "stopping"
	stateStopped    = "stopped"
)

// session is one recording: one hidden participant in one room that records
// every track it is subscribed to, including tracks published and
// participants joining after it started.
type session struct {
	d                *deps
	log              *slog.Logger
	id, room, prefix string
	onStopped        func(*session)

	mu       sync.Mutex
	state    string
	lk       *lksdk.Room
	roomID   string
	tracks   []*trackEgress          // every track of the recording, in start order
	current  map[string]*trackEgress // track sid -> egress still recording it
	segments map[string]int          // track sid -> times recorded

	stopOnce sync.Once
	stopped  chan struct{}
	results  []*livekit.EgressInfo
}

func newSession(d *deps, id, room, prefix string, onStopped func(*session)) *session {
	return &session{
		d: d, id: id, room: room, prefix: prefix, onStopped: onStopped,
		log:      d.log.With("recordingId", id, "room", room),
		state:    stateConnecting,
		current:  map[string]*trackEgress{},
		segments: map[string]int{},
		stopped:  make(chan struct{}),
	}
}

// token for the recorder participant: it can only subscribe, and hidden plus
// recorder keep it out of participant lists and mark the room as recorded,
// like LiveKit's own egress participant. Kind EGRESS makes agents ignore it.
func (s *session) token() (string, error) {
	grant := &auth.VideoGrant{RoomJoin: true, Room: s.room, Hidden: true, Recorder: true}
	grant.SetCanSubscribe(true)
	grant.SetCanPublish(false)
	grant.SetCanPublishData(false)
	return auth.NewAccessToken(s.d.cfg.APIKey, s.d.cfg.APISecret).
		SetIdentity("recorder-" + s.id).
		SetKind(livekit.ParticipantInfo_EGRESS).
		SetVideoGrant(grant).
		SetValidFor(24 * time.Hour).
		ToJWT()
}

// connect joins the room; subscriptions may already arrive while it runs.
func (s *session) connect(ctx context.Context) error {
	tok, err := s.token()
	if err != nil {
		return err
	}
	cb := &lksdk.RoomCallback{
		OnDisconnectedWithReason: s.onDisconnected,
		ParticipantCallback: lksdk.ParticipantCallback{
			OnTrackSubscribed:   s.onTrackSubscribed,
			OnTrackUnsubscribed: s.onTrackUnsubscribed,
		},
	}
	lk := lksdk.NewRoom(cb)
	s.mu.Lock()
	s.lk = lk
	s.mu.Unlock()
	if err := lk.JoinWithContextAndToken(ctx, s.d.cfg.LiveKitURL, tok, lksdk.WithAutoSubscribe(true)); err != nil {
		return err
	}
	s.mu.Lock()
	if s.state == stateConnecting {
		s.state = stateRecording
	}
	s.mu.Unlock()
	// Room.SID can block for a moment after joining; only webhooks use it.
	go func() {
		sid := lk.SID()
		s.mu.Lock()
		s.roomID = sid
		s.mu.Unlock()
	}()
	s.log.Info("recording started")
	return nil
}

func (s *session) onTrackSubscribed(track *webrtc.TrackRemote, pub *lksdk.RemoteTrackPublication, rp *lksdk.RemoteParticipant) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != stateConnecting && s.state != stateRecording {
		return
	}
	if old := s.current[pub.SID()]; old != nil {
		old.end("track resubscribed")
	}
	s.segments[pub.SID()]++
	te, err := startTrackEgress(s.d, trackParams{
		recordingID: s.id, room: s.room, roomID: s.roomID, prefix: s.prefix, segment: s.segments[pub.SID()],
	}, track, pub, rp)
	if err != nil {
		s.log.Error("track not recorded", "trackSid", pub.SID(), "participant", rp.Identity(),
			"mime", track.Codec().MimeType, "error", err.Error())
		return
	}
	s.tracks = append(s.tracks, te)
	s.current[pub.SID()] = te
}

// onTrackUnsubscribed covers unpublish and the participant leaving (the SDK
// unsubscribes all of a leaving participant's tracks).
func (s *session) onTrackUnsubscribed(track *webrtc.TrackRemote, pub *lksdk.RemoteTrackPublication, rp *lksdk.RemoteParticipant) {
	s.mu.Lock()
	te := s.current[pub.SID()]
	if te != nil && te.track == track {
		delete(s.current, pub.SID())
	} else {
		te = nil
	}
	s.mu.Unlock()
	if te != nil {
		te.end("track unsubscribed")
	}
}

// onDisconnected: the room went away under us (closed, removed, network).
// Every track is finalized as if the recording had been stopped.
func (s *session) onDisconnected(reason lksdk.DisconnectionReason) {
	s.mu.Lock()
	st := s.state
	s.mu.Unlock()
	if st == stateStopping || st == stateStopped {
		return
	}
	s.log.Warn("room disconnected; ending the recording", "reason", string(reason))
	go s.stop("room disconnected: "+string(reason), false)
}

// stop ends every track, uploads and reports them, leaves the room and
// returns every track's final EgressInfo. Concurrent and repeated calls all
// get the same result.
func (s *session) stop(reason string, leave bool) []*livekit.EgressInfo {
	s.stopOnce.Do(func() {
		s.mu.Lock()
		s.state = stateStopping
		tracks := append([]*trackEgress(nil), s.tracks...)
		lk := s.lk
		s.mu.Unlock()
		s.log.Info("stopping recording", "reason", reason, "tracks", len(tracks))
		for _, te := range tracks {
			te.end(reason)
		}
		// Leave as soon as the writers are closing: nothing more is recorded
		// (new subscriptions are refused in stateStopping) and the SFU stops
		// sending while the uploads run.
		if leave && lk != nil {
			lk.Disconnect()
		}
		results := make([]*livekit.EgressInfo, 0, len(tracks))
		for _, te := range tracks {
			results = append(results, te.wait())
		}
		s.mu.Lock()
		s.state, s.results = stateStopped, results
		s.mu.Unlock()
		s.log.Info("recording stopped", "tracks", len(results))
		close(s.stopped)
		if s.onStopped != nil {
			s.onStopped(s)
		}
	})
	<-s.stopped
	return s.results
}

type recordingView struct {
	RecordingID string      `json:"recordingId"`
	Room        string      `json:"room"`
	Status      string      `json:"status"`
	Tracks      []trackView `json:"tracks"`
}

func (s *session) view() recordingView {
	s.mu.Lock()
	tracks := append([]*trackEgress(nil), s.tracks...)
	st := s.state
	s.mu.Unlock()
	if st == stateConnecting {
		st = stateRecording
	}
	v := recordingView{RecordingID: s.id, Room: s.room, Status: st, Tracks: []trackView{}}
	for _, te := range tracks {
		v.Tracks = append(v.Tracks, te.view())
	}
	return v
}

func (s *session) String() string { return fmt.Sprintf("recording %s in %s", s.id, s.room) }
