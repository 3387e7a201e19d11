package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"sesame/authapi"
	"sesame/internal/testdb"
	"sesame/server/store"
)

// support proves email with a mailed support code, files a request and
// returns it with the support token.
func (e *adminEnv) support(email string) (authapi.SupportTicket, string) {
	e.t.Helper()
	if s, _ := e.call("POST", "/v1/support-requests/code", authapi.EmailRequest{Email: email}, "", nil); s != 202 {
		e.t.Fatalf("support code: %d", s)
	}
	var code string
	for deadline := time.Now().Add(30 * time.Second); code == "" && time.Now().Before(deadline); {
		for _, m := range e.mailbox(email) {
			if strings.Contains(m.Subject, "contact Sesame support") {
				code = sixDigits.FindString(m.Text)
			}
		}
		if code == "" {
			time.Sleep(10 * time.Millisecond)
		}
	}
	var acc authapi.SupportAccess
	if s, _ := e.call("POST", "/v1/support-requests/verify", authapi.EmailCodeRequest{Email: email, Code: code}, "", &acc); s != 200 {
		e.t.Fatalf("support verification: %d", s)
	}
	var tk authapi.SupportTicket
	req := authapi.SupportRequest{Topic: authapi.TopicLocked, Description: "Locked out since this morning.", Report: "Sesame connection report"}
	if s := e.withToken("POST", acc.SupportToken, req, &tk); s != 201 {
		e.t.Fatalf("support request: %d", s)
	}
	return tk, acc.SupportToken
}

// withToken sends a request on the support requests with a support token.
func (e *adminEnv) withToken(method, token string, body, out any) int {
	e.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, e.base+"/v1/support-requests", bytes.NewReader(b))
	req.Header.Set(authapi.HeaderClientVersion, "1.0.0")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(authapi.HeaderSupportToken, token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 300 {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			e.t.Fatal(err)
		}
	}
	return resp.StatusCode
}

func (e *adminEnv) mailbox(email string) []authapi.Mail {
	var box authapi.Mailbox
	e.call("GET", "/v1/dev/mailbox?to="+email, nil, "", &box)
	return box.Mails
}

// TestAdminTickets: a locked-out user's request is listed and shown to the
// operator, who unlocks her account from it and replies; the reply is
// mailed in her language and shown to her, and all of it is in the audit
// log.
func TestAdminTickets(t *testing.T) {
	for _, kind := range testdb.Kinds {
		t.Run(kind, func(t *testing.T) {
			e := newAdminEnv(t, kind)
			const email, pw = "ann@example.org", "correct horse battery 1"
			e.signUp(email, pw)
			for range 2 {
				e.signIn(email, "wrong password 1")
			}
			if s, c, _ := e.signIn(email, pw); s != 423 {
				t.Fatalf("locked: %d %s", s, c)
			}
			tk, token := e.support(email)

			var list []ticketJSON
			e.adminJSON(&list, "tickets", "list")
			if len(list) != 1 || list[0].Number != tk.Number || list[0].Email != email || list[0].Status != "open" || list[0].SignedIn {
				t.Fatalf("tickets list: %+v", list)
			}
			var shown ticketShowJSON
			e.adminJSON(&shown, "tickets", "show", strings.ToLower(tk.Number))
			if shown.Description != "Locked out since this morning." || shown.StaffPhrase != tk.StaffPhrase || shown.Account == nil ||
				shown.Account.State != "active" || shown.LockedUntil == nil {
				t.Fatalf("tickets show: %+v", shown)
			}

			var entry auditJSON
			e.adminJSON(&entry, "tickets", "unlock", tk.Number, "--reason", "owner verified")
			if entry.Action != "unlock" || entry.Reason != "ticket "+tk.Number+"; owner verified" || entry.Email != email {
				t.Fatalf("tickets unlock: %+v", entry)
			}
			if s, _, _ := e.signIn(email, pw); s != 201 {
				t.Fatalf("sign-in after the unlock: %d", s)
			}

			if _, err := e.admin("tickets", "reply", tk.Number, "--local-mailbox", "--text", "Send me the code 123456 from the mail"); err == nil {
				t.Fatal("a reply asking for a code was sent")
			}
			if _, err := e.admin("tickets", "reply", tk.Number, "--text", "Unlocked."); err == nil || !strings.Contains(err.Error(), "--local-mailbox") {
				t.Fatalf("a reply with no mail delivery: %v", err)
			}
			reply := "Your account is unlocked: sign in again."
			e.adminJSON(&entry, "tickets", "reply", tk.Number, "--local-mailbox", "--text", reply, "--operator", "bob")
			if entry.Action != "ticket-reply" || entry.Outcome != "replied" || entry.Operator != "bob" || entry.Reason != "ticket "+tk.Number {
				t.Fatalf("tickets reply: %+v", entry)
			}
			var mailed bool
			for _, m := range e.mailbox(email) {
				mailed = mailed || m.Subject == "Sesame support replied to your request "+tk.Number && strings.Contains(m.Text, reply) &&
					strings.Contains(m.Text, tk.StaffPhrase)
			}
			if !mailed {
				t.Fatalf("the reply was not mailed: %+v", e.mailbox(email))
			}
			var mine authapi.SupportTicketList
			if s := e.withToken("GET", token, nil, &mine); s != 200 || len(mine.Tickets) != 1 || mine.Tickets[0].Status != "answered" ||
				len(mine.Tickets[0].Replies) != 1 || mine.Tickets[0].Replies[0].Text != reply {
				t.Fatalf("the user's tickets: %d %+v", s, mine)
			}

			e.adminJSON(&entry, "suspend", email, "--reason", "test")
			e.adminJSON(&entry, "tickets", "unsuspend", tk.Number)
			if entry.Outcome != "reinstated" {
				t.Fatalf("tickets unsuspend: %+v", entry)
			}
			e.adminJSON(&entry, "tickets", "close", tk.Number)
			if entry.Outcome != "closed" {
				t.Fatalf("tickets close: %+v", entry)
			}
			e.adminJSON(&list, "tickets", "list")
			if len(list) != 0 {
				t.Fatalf("open tickets after the close: %+v", list)
			}
			e.adminJSON(&list, "tickets", "list", "--status", "all")
			if len(list) != 1 || list[0].Status != "closed" {
				t.Fatalf("every ticket: %+v", list)
			}

			var log []auditJSON
			e.adminJSON(&log, "log", "--account", email)
			var actions []string
			for _, l := range log {
				actions = append(actions, l.Action)
			}
			if strings.Join(actions, " ") != "ticket-close unsuspend suspend ticket-reply unlock" {
				t.Fatalf("the audit log: %v", actions)
			}
			if _, err := e.admin("tickets", "show", "SR-0000-0000"); !errors.Is(err, errNoTicket) {
				t.Fatalf("an unknown ticket: %v", err)
			}
			if out, err := e.admin("tickets", "show", tk.Number); err != nil || !strings.Contains(out, reply) {
				t.Fatalf("tickets show as text: %q %v", out, err)
			}

			// Purged, it shows its number and dates, and takes no reply.
			purgedAt := time.Now().UTC().Truncate(time.Millisecond)
			if n, err := e.db.Open(t).PurgeTickets(t.Context(), purgedAt.Add(time.Hour), purgedAt); err != nil || n != 1 {
				t.Fatalf("purge: %d %v", n, err)
			}
			e.adminJSON(&shown, "tickets", "show", tk.Number)
			if shown.PurgedAt == nil || !shown.PurgedAt.Equal(purgedAt) || shown.Description != "" || shown.Report != "" ||
				len(shown.Replies) != 0 || shown.Number != tk.Number || shown.Status != "closed" {
				t.Fatalf("tickets show of a purged ticket: %+v", shown)
			}
			out, err := e.admin("tickets", "show", tk.Number)
			if err != nil || !strings.Contains(out, tk.Number+" was purged on "+purgedAt.Format(time.RFC3339)) || strings.Contains(out, reply) {
				t.Fatalf("tickets show as text of a purged ticket: %q %v", out, err)
			}
			if _, err := e.admin("tickets", "reply", tk.Number, "--local-mailbox", "--text", "Hello again."); !errors.Is(err, store.ErrTicketPurged) {
				t.Fatalf("a reply to a purged ticket: %v", err)
			}
		})
	}
}
