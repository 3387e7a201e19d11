package testserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"sesame/internal/testserver"
	"sesame/server"
	"sesame/server/store"
)

func TestStart(t *testing.T) {
	s := testserver.Start(t, func(c *server.Config) { c.LatestClientVersion = "7.0.0" })
	if s.Config.LatestClientVersion != "7.0.0" || !s.Config.DevMailbox || s.Config.RateIP != (server.Rate{}) {
		t.Fatalf("config %+v", s.Config)
	}
	if err := s.Store.SetMaintenance(context.Background(), store.Maintenance{On: true, Message: "testing"}); err != nil {
		t.Fatal(err)
	}
	resp, err := s.Client.Get(s.URL + "/v1/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct {
		Status, Message string
		Latest          string `json:"latest_client_version"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil || st.Status != "maintenance" || st.Message != "testing" || st.Latest != "7.0.0" {
		t.Fatalf("status %d %+v %v", resp.StatusCode, st, err)
	}
	resp, err = s.Client.Get(s.URL + "/v1/dev/mailbox?to=a@example.org")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		t.Fatal("the development mailbox is off")
	}
}

func TestClock(t *testing.T) {
	var c testserver.Clock
	c.Advance(time.Hour)
	if d := time.Until(c.Now()); d < 59*time.Minute || d > time.Hour {
		t.Fatalf("an hour on, the clock is %s ahead", d)
	}
}

func TestLogBuffer(t *testing.T) {
	var l testserver.LogBuffer
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() { fmt.Fprintf(&l, "line %d\n", i) })
	}
	wg.Wait()
	if out := l.String(); strings.Count(out, "\n") != 10 || !strings.Contains(out, "line 7\n") {
		t.Fatalf("log %q", out)
	}
}
