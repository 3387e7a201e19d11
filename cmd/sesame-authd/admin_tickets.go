package main

// sesame-authd admin tickets: the operator's side of the support requests.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"sesame/authapi"
	"sesame/recovery"
	"sesame/server"
	"sesame/server/store"
)

// errNoTicket reports a ticket number that names no support request.
var errNoTicket = errors.New("no such support request")

// The JSON of the tickets commands.
type (
	ticketJSON struct {
		Number    string    `json:"number"`
		Status    string    `json:"status"`
		Topic     string    `json:"topic"`
		AccountID string    `json:"account_id"`
		Email     string    `json:"email"`
		Language  string    `json:"language"`
		SignedIn  bool      `json:"signed_in"`
		CreatedAt time.Time `json:"created_at"`
		UpdatedAt time.Time `json:"updated_at"`
		// PurgedAt is when its text, report and replies were deleted, or
		// null.
		PurgedAt *time.Time `json:"purged_at"`
	}
	replyJSON struct {
		At       time.Time `json:"at"`
		Operator string    `json:"operator"`
		Text     string    `json:"text"`
	}
	// ticketShowJSON is tickets show: the request, and its account's
	// state now (null when the account is gone) and lock.
	ticketShowJSON struct {
		ticketJSON
		StaffPhrase string       `json:"staff_phrase"`
		Description string       `json:"description"`
		Report      string       `json:"report"`
		Replies     []replyJSON  `json:"replies"`
		Account     *accountJSON `json:"account"`
		LockedUntil *time.Time   `json:"locked_until"`
	}
)

func ticketRow(t store.Ticket) ticketJSON {
	v := ticketJSON{Number: t.Number, Status: t.Status, Topic: t.Topic, AccountID: t.AccountID, Email: t.Email,
		Language: t.Language, SignedIn: t.SignedIn, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
	if !t.PurgedAt.IsZero() {
		v.PurgedAt = &t.PurgedAt
	}
	return v
}

// purged is what the text form of the tickets commands says of a purged
// ticket.
func purged(t ticketJSON) string {
	return fmt.Sprintf("%s was purged on %s: its text, report and replies were deleted after its closing on %s",
		t.Number, when(t.PurgedAt), when(&t.UpdatedAt))
}

// checkTickets refuses the tickets commands' wrong flags before the
// database is opened: an unknown --status, a reply with no --text, and a
// text that holds a secret (recovery.FindSecret): staff never send one.
func (a *adminRun) checkTickets() error {
	statuses := []string{authapi.TicketOpen, authapi.TicketAnswered, authapi.TicketClosed, "all"}
	switch {
	case slices.Contains(a.cmd.flags, "status") && !slices.Contains(statuses, a.o.status):
		return errors.New("--status must be open, answered, closed or all")
	case a.cmd.action == store.ActionTicketReply && strings.TrimSpace(a.o.text) == "":
		return errors.New("reply needs --text TEXT")
	}
	if err := recovery.FindSecret(a.o.text); err != nil {
		return fmt.Errorf("--text: %w: staff never send or ask for a password, a code or a recovery phrase", err)
	}
	return nil
}

// ticket finds the support request named by the command's argument.
func (a *adminRun) ticket(ctx context.Context) (store.Ticket, error) {
	number := strings.ToUpper(strings.TrimSpace(a.args[0]))
	t, err := a.st.Ticket(ctx, number)
	if errors.Is(err, store.ErrNotFound) {
		return t, fmt.Errorf("%w: %s", errNoTicket, number)
	}
	return t, err
}

func ticketsList(ctx context.Context, a *adminRun) error {
	status := a.o.status
	if status == "all" {
		status = ""
	}
	list, err := a.st.FindTickets(ctx, status, a.o.limit)
	if err != nil {
		return err
	}
	out := []ticketJSON{}
	for _, t := range list {
		out = append(out, ticketRow(t))
	}
	return a.emit(out, func(w io.Writer) {
		fmt.Fprintln(w, "NUMBER\tSTATUS\tTOPIC\tEMAIL\tCREATED\tUPDATED\tPURGED")
		for _, t := range out {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Number, t.Status, t.Topic, t.Email, when(&t.CreatedAt), when(&t.UpdatedAt),
				when(t.PurgedAt))
		}
	})
}

func ticketsShow(ctx context.Context, a *adminRun) error {
	t, err := a.ticket(ctx)
	if err != nil {
		return err
	}
	v := ticketShowJSON{ticketJSON: ticketRow(t), StaffPhrase: t.StaffPhrase, Description: t.Description, Report: t.Report, Replies: []replyJSON{}}
	for _, r := range t.Replies {
		v.Replies = append(v.Replies, replyJSON{At: r.At, Operator: r.Operator, Text: r.Text})
	}
	if acct, err := a.st.AccountByID(ctx, t.AccountID); err == nil {
		av := accountView(acct)
		v.Account = &av
		l, err := a.st.Lockout(ctx, acct.Email)
		if err != nil {
			return err
		}
		if l.Locked(time.Now()) {
			v.LockedUntil = &l.LockedUntil
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return a.emit(v, func(w io.Writer) {
		if v.PurgedAt != nil {
			fmt.Fprintln(w, purged(v.ticketJSON)+".")
		}
		fmt.Fprintf(w, "Ticket\t%s\nStatus\t%s\nTopic\t%s\nEmail\t%s\nAccount\t%s\nLanguage\t%s\nStaff phrase\t%s\nFiled\t%s (%s)\n",
			v.Number, v.Status, v.Topic, v.Email, v.AccountID, v.Language, v.StaffPhrase, when(&v.CreatedAt),
			map[bool]string{true: "signed in", false: "after a mailed code"}[v.SignedIn])
		if v.Account != nil {
			fmt.Fprintf(w, "Account state\t%s\nLocked until\t%s\n", v.Account.State, when(v.LockedUntil))
		} else {
			fmt.Fprintf(w, "Account state\tdeleted\n")
		}
		fmt.Fprintf(w, "\nDescription:\n%s\n\nReport:\n%s\n\nReplies: %d\n", v.Description, v.Report, len(v.Replies))
		for _, r := range v.Replies {
			fmt.Fprintf(w, "  %s %s:\n%s\n", when(&r.At), r.Operator, r.Text)
		}
	})
}

// ticketsAnswer replies to or closes a ticket, and mails the reply text,
// if any, in the account's language.
func ticketsAnswer(ctx context.Context, a *adminRun) error {
	t, err := a.ticket(ctx)
	if err != nil {
		return err
	}
	if !t.PurgedAt.IsZero() {
		return fmt.Errorf("%w: %s: the user files a new request", store.ErrTicketPurged, purged(ticketRow(t)))
	}
	text := strings.TrimSpace(a.o.text)
	var send func(context.Context) error
	if text != "" {
		// The delivery is checked before anything is written.
		mailer, _, err := newMailer(a.st, a.o.smtp, a.o.mailFrom, a.o.local)
		if err != nil {
			return fmt.Errorf("the reply is mailed: %w", err)
		}
		acct, err := a.st.AccountByID(ctx, t.AccountID)
		if err != nil {
			return fmt.Errorf("the account of %s: %w", t.Number, err)
		}
		send = func(ctx context.Context) error { return mailer.Send(ctx, server.TicketReplyMail(acct, t, text)) }
	}
	e, err := a.st.AnswerTicket(ctx, t.Number, text, store.AuditEntry{At: time.Now().UTC(), Operator: a.o.operator,
		Action: a.cmd.action, Reason: a.o.reason})
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: %s", errNoTicket, t.Number)
	} else if errors.Is(err, store.ErrTicketPurged) {
		return fmt.Errorf("%w: %s", err, t.Number)
	} else if err != nil {
		return err
	}
	if send != nil {
		if err := send(ctx); err != nil {
			return fmt.Errorf("the reply is recorded and shown in the app, but its mail failed: %w", err)
		}
	}
	return a.emit(auditView(e), func(w io.Writer) { fmt.Fprintf(w, "%s %s (%s): %s\n", a.cmd.name, t.Number, t.Email, e.Outcome) })
}

// ticketsAdminister does the command's action to the ticket's account,
// with the ticket's number in the audit log's reason.
func ticketsAdminister(ctx context.Context, a *adminRun) error {
	t, err := a.ticket(ctx)
	if err != nil {
		return err
	}
	e, err := a.st.Administer(ctx, store.AuditEntry{At: time.Now().UTC(), Operator: a.o.operator, Action: a.cmd.action,
		AccountID: t.AccountID, Reason: store.TicketReason(t.Number, a.o.reason)})
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: the account of %s", errNoAccount, t.Number)
	} else if err != nil {
		return err
	}
	return a.emit(auditView(e), func(w io.Writer) { fmt.Fprintf(w, "%s %s (%s): %s\n", a.cmd.name, t.Number, e.Email, e.Outcome) })
}

// supportRequests are the account's support requests as the app shows
// them to her, for the export.
func (a *adminRun) supportRequests(ctx context.Context, acct store.Account) ([]authapi.SupportTicket, error) {
	list, err := a.st.Tickets(ctx, acct.ID)
	if err != nil {
		return nil, err
	}
	out := []authapi.SupportTicket{}
	for _, t := range list {
		out = append(out, server.TicketView(t))
	}
	return out, nil
}
