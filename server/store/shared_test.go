package store_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"sesame/server/store"
)

func TestMigrate(t *testing.T) {
	fsys := fstest.MapFS{
		"migrations/0002_b.sql": {Data: []byte("b")},
		"migrations/0001_a.sql": {Data: []byte("a")},
		"migrations/notes.txt":  {Data: []byte("not a migration")},
	}
	var ran []string
	exec := func(sql string) error { ran = append(ran, sql); return nil }
	if v, err := store.Migrate(fsys, 0, exec); v != 2 || err != nil || strings.Join(ran, "") != "ab" {
		t.Fatalf("from 0: version %d, ran %q, %v", v, ran, err)
	}
	ran = nil
	if v, err := store.Migrate(fsys, 1, exec); v != 2 || err != nil || strings.Join(ran, "") != "b" {
		t.Fatalf("from 1: version %d, ran %q, %v", v, ran, err)
	}
	if _, err := store.Migrate(fsys, 3, exec); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("a newer schema: %v", err)
	}
	if _, err := store.Migrate(fsys, 0, func(string) error { return errors.New("syntax") }); err == nil || !strings.Contains(err.Error(), "0001_a.sql") {
		t.Fatalf("a failing migration: %v", err)
	}
}

// TestLimitTake pins the arithmetic the stores share: the refill interval,
// the latest full time that leaves a token, and the wait.
func TestLimitTake(t *testing.T) {
	at := time.UnixMicro(1_000_000_000)
	for _, c := range []struct {
		l                store.Limit
		interval, latest int64
	}{
		{store.Limit{PerSecond: 1, Burst: 30}, 1_000_000, 29 * 1_000_000},
		{store.Limit{PerSecond: 10.0 / 60, Burst: 10}, 6_000_000, 9 * 6_000_000},
		{store.Limit{PerSecond: 20.0 / 86400, Burst: 20}, 4_320_000_000, 19 * 4_320_000_000},
		{store.Limit{PerSecond: 7.0 / 60, Burst: 1}, 8_571_429, 0}, // rounded to the microsecond
		{store.Limit{PerSecond: 1, Burst: 0}, 1_000_000, 0},        // a burst of at least one
		{store.Limit{PerSecond: 1e9, Burst: 2}, 1, 1},              // at least a microsecond
	} {
		tk := c.l.Take(at)
		if tk.Now != at.UnixMicro() || tk.Interval != c.interval || tk.Latest != tk.Now+c.latest {
			t.Errorf("%+v: %+v, want interval %d and latest now+%d", c.l, tk, c.interval, c.latest)
		}
	}
	tk := store.Limit{PerSecond: 2, Burst: 3}.Take(at)
	for full, want := range map[int64]time.Duration{
		tk.Latest + 1:       time.Microsecond,
		tk.Latest + 500_000: 500 * time.Millisecond,
		tk.Latest:           0,
		tk.Now - 1:          0,
	} {
		if got := tk.Wait(full); got != want {
			t.Errorf("full at latest%+d: wait %s, want %s", full-tk.Latest, got, want)
		}
	}
}
