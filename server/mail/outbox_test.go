package mail

import (
	"context"
	"errors"
	"regexp"
	"sync"
	"testing"
	"time"

	"sesame/authapi"
)

// memStore is an in-memory OutboxStore.
type memStore struct {
	mu    sync.Mutex
	mails []authapi.Mail
	err   error
}

func (s *memStore) AddMail(_ context.Context, m authapi.Mail) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.mails = append(s.mails, m)
	return nil
}

func TestOutboxStores(t *testing.T) {
	st := &memStore{}
	o := NewOutbox(st)
	var _ Mailer = o
	msgs := []Message{
		Compose(KindVerify, "alice@example.com", Data{Code: "123456", ValidMinutes: 10, Phrase: "owl"}),
		Compose(KindPasswordChanged, "alice@example.com", Data{}),
	}
	before := time.Now()
	for _, m := range msgs {
		if err := o.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	after := time.Now()
	if len(st.mails) != len(msgs) {
		t.Fatalf("stored %d mails, want %d", len(st.mails), len(msgs))
	}
	hexID := regexp.MustCompile(`^[0-9a-f]{32}$`)
	for i, got := range st.mails {
		m := msgs[i]
		if got.To != m.To || got.Subject != m.Subject || got.Text != m.Text {
			t.Errorf("mail %d = %+v, want %+v", i, got, m)
		}
		if !hexID.MatchString(got.ID) {
			t.Errorf("mail %d ID = %q, want 32 hex digits", i, got.ID)
		}
		if got.SentAt.Location() != time.UTC {
			t.Errorf("mail %d SentAt in %v, want UTC", i, got.SentAt.Location())
		}
		if got.SentAt.Before(before) || got.SentAt.After(after) {
			t.Errorf("mail %d SentAt = %v, not within the Send calls [%v, %v]", i, got.SentAt, before, after)
		}
	}
	if st.mails[0].ID == st.mails[1].ID {
		t.Errorf("two mails share ID %s", st.mails[0].ID)
	}
}

func TestOutboxStoreError(t *testing.T) {
	errFull := errors.New("disk full")
	o := NewOutbox(&memStore{err: errFull})
	if err := o.Send(context.Background(), Message{To: "a@example.com"}); !errors.Is(err, errFull) {
		t.Fatalf("Send = %v, want the store's error", err)
	}
}
