package main

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"

	"github.com/livekit/protocol/auth"
	"github.com/livekit/protocol/utils/protojson"
)

var (
	uuidRE   = regexp.MustCompile(`^[0-9a-f-]{36}$`)
	prefixRE = regexp.MustCompile(`^raw/[0-9a-f-]{36}/[0-9a-f-]{36}/$`)
)

type api struct {
	cfg *config
	m   *manager
	log *slog.Logger
}

func (a *api) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", a.health)
	mux.HandleFunc("POST /v1/recordings", a.authorized(a.start))
	mux.HandleFunc("POST /v1/recordings/{id}/stop", a.authorized(a.stop))
	mux.HandleFunc("GET /v1/recordings/{id}", a.authorized(a.get))
	return mux
}

// authorized requires what LiveKit's egress API requires: a token signed
// with our API key/secret whose video grant has roomRecord.
func (a *api) authorized(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || raw == "" {
			writeError(w, http.StatusUnauthorized, "missing Authorization: Bearer <token>")
			return
		}
		v, err := auth.ParseAPIToken(raw)
		if err != nil {
			writeError(w, http.StatusUnauthorized, "invalid token")
			return
		}
		if v.APIKey() != a.cfg.APIKey {
			writeError(w, http.StatusUnauthorized, "unknown API key")
			return
		}
		_, grants, err := v.Verify(a.cfg.APISecret)
		if err != nil {
			writeError(w, http.StatusUnauthorized, "invalid token: "+err.Error())
			return
		}
		if grants.Video == nil || !grants.Video.RoomRecord {
			writeError(w, http.StatusUnauthorized, "token lacks the roomRecord grant")
			return
		}
		h(w, r)
	}
}

func (a *api) health(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "recordings": a.m.count()})
}

type startRequest struct {
	RecordingID    string `json:"recordingId"`
	Room           string `json:"room"`
	FilepathPrefix string `json:"filepathPrefix"`
}

func (a *api) start(w http.ResponseWriter, r *http.Request) {
	var req startRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "body must be a JSON object {recordingId, room, filepathPrefix}: "+err.Error())
		return
	}
	switch {
	case !uuidRE.MatchString(req.RecordingID):
		writeError(w, http.StatusBadRequest, "recordingId must be a UUID")
		return
	case req.Room == "" || len(req.Room) > 256:
		writeError(w, http.StatusBadRequest, "room must be a non-empty room name")
		return
	case !prefixRE.MatchString(req.FilepathPrefix):
		writeError(w, http.StatusBadRequest, "filepathPrefix must match ^raw/[0-9a-f-]{36}/[0-9a-f-]{36}/$")
		return
	}
	v, err := a.m.start(req.RecordingID, req.Room, req.FilepathPrefix)
	var ce *connectError
	switch {
	case errors.As(err, &ce):
		writeError(w, http.StatusBadGateway, ce.Error())
	case errors.Is(err, errConflict):
		writeError(w, http.StatusConflict, err.Error())
	case errors.Is(err, errShuttingDown):
		writeError(w, http.StatusServiceUnavailable, err.Error())
	case err != nil:
		writeError(w, http.StatusInternalServerError, err.Error())
	default:
		writeJSON(w, http.StatusOK, map[string]string{"recordingId": v.RecordingID, "status": v.Status})
	}
}

func (a *api) stop(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	results, err := a.m.stop(id)
	if err != nil {
		writeError(w, http.StatusNotFound, "no recording "+id)
		return
	}
	// EgressInfo is serialized with protojson, as LiveKit's API and webhooks do
	// (int64 as strings, enum names), so clients can parse it with
	// EgressInfo.fromJson.
	tracks := make([]json.RawMessage, 0, len(results))
	for _, info := range results {
		b, err := protojson.Marshal(info)
		if err != nil {
			writeError(w, http.StatusInternalServerError, err.Error())
			return
		}
		tracks = append(tracks, b)
	}
	writeJSON(w, http.StatusOK, map[string]any{"recordingId": id, "tracks": tracks})
}

func (a *api) get(w http.ResponseWriter, r *http.Request) {
	v, err := a.m.get(r.PathValue("id"))
	if err != nil {
		writeError(w, http.StatusNotFound, "no recording "+r.PathValue("id"))
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}
