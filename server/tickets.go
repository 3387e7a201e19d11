package server

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"

	"sesame/authapi"
	"sesame/recovery"
	"sesame/server/mail"
	"sesame/server/store"
)

// Support requests (tickets). A signed-in user files and lists hers under
// /v1/me/support-requests. One who cannot sign in proves her address with
// a mailed code (POST /v1/support-requests/code, then /verify, which go as
// a password reset's do: an address with no account gets a decoy code and
// answers alike) and gets a support token, good for supportTTL, that files
// and lists the account's requests under /v1/support-requests.
//
// A ticket's number is random ("SR-" and 8 Crockford characters, 40 bits):
// sequential numbers would tell anyone who files two how many requests
// the service gets. It is no secret: every read needs a session or a code.
// Its staff phrase (three English words, or four Chinese characters for a
// Chinese account, from the BIP39 lists) is shown to the user and mailed
// to her; staff quote both, so that she can tell them from impostors.

// supportTTL is how long a support token works.
const supportTTL = 30 * time.Minute

// supportKeyInfo derives the key that signs support tokens.
const supportKeyInfo = "sesame support tokens v1"

// The defaults of Config.TicketsPerDay and Config.MaxOpenTickets.
const (
	defaultTicketsPerDay  = 5
	defaultMaxOpenTickets = 5
)

// DefaultTicketRetention is the default of Config.TicketRetention.
const DefaultTicketRetention = 90 * 24 * time.Hour

// ticketKey is the key of the daily limit of an account's new tickets.
func ticketKey(accountID string) string { return "tickets:" + accountID }

// startSupport mails a support code to the owner of an account: see
// startCode.
func (s *Server) startSupport(w http.ResponseWriter, r *http.Request) error {
	return s.startCode(w, r, store.PurposeSupport, mail.KindSupportCode, nil)
}

// verifySupport trades a mailed support code for a support token, as
// verifyReset does for a reset token.
func (s *Server) verifySupport(w http.ResponseWriter, r *http.Request) error {
	a, err := s.useMailedCode(w, r, store.PurposeSupport)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, authapi.SupportAccess{
		SupportToken: s.supportToken(a, s.cfg.Now().Add(supportTTL)), ExpiresIn: int(supportTTL.Seconds())})
}

// supportKeyOf is the key that signs support tokens: derived from the
// TOTP key, so that the replicas take each other's tokens; random without
// one (development), since devKey is in the source code and a token need
// not outlive the process.
func supportKeyOf(totpKey []byte) ([]byte, error) {
	if len(totpKey) == 0 {
		return []byte(randomToken()), nil
	}
	return deriveKey(totpKey, supportKeyInfo)
}

// stampSize is the length of a support token's stamp.
const stampSize = 16

// supportToken signs the token's expiry, the account's stamp and its id.
func (s *Server) supportToken(a store.Account, expires time.Time) string {
	payload := binary.BigEndian.AppendUint64(nil, uint64(expires.Unix()))
	payload = append(payload, s.supportStamp(a)...)
	payload = append(payload, a.ID...)
	return base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString(s.supportMAC(payload))
}

func (s *Server) supportMAC(payload []byte) []byte {
	m := hmac.New(sha256.New, s.supportKey)
	m.Write(payload)
	return m.Sum(nil)
}

// supportStamp binds a support token to the account's password hash and
// its ResetRequired: a password change or reset, or a "this wasn't me",
// ends the tokens given before, as it ends the sessions (a token taken
// through a stolen mailbox must not outlive the owner's taking her
// account back).
func (s *Server) supportStamp(a store.Account) []byte {
	return s.supportMAC(fmt.Appendf(nil, "stamp\x00%s\x00%t", a.PasswordHash, a.ResetRequired))[:stampSize]
}

// supportAccount is the account whose support token the request carries:
// 410 support_token_expired for a token that is not one, has expired,
// names an account that is gone or whose stamp has changed.
func (s *Server) supportAccount(r *http.Request) (store.Account, error) {
	expired := problem(http.StatusGone, authapi.CodeSupportTokenExpired,
		"The support token expired or is not valid: ask for a new code.")
	p, mac, ok := strings.Cut(r.Header.Get(authapi.HeaderSupportToken), ".")
	payload, err1 := base64.RawURLEncoding.DecodeString(p)
	sum, err2 := base64.RawURLEncoding.DecodeString(mac)
	if !ok || err1 != nil || err2 != nil || len(payload) <= 8+stampSize || !hmac.Equal(sum, s.supportMAC(payload)) ||
		!s.cfg.Now().Before(time.Unix(int64(binary.BigEndian.Uint64(payload)), 0)) {
		return store.Account{}, expired
	}
	a, err := s.cfg.Store.AccountByID(r.Context(), string(payload[8+stampSize:]))
	if errors.Is(err, store.ErrNotFound) || err == nil && !hmac.Equal(payload[8:8+stampSize], s.supportStamp(a)) {
		return store.Account{}, expired
	}
	return a, err
}

func (s *Server) fileSupportRequest(w http.ResponseWriter, r *http.Request) error {
	a, err := s.supportAccount(r)
	if err != nil {
		return err
	}
	return s.fileTicket(w, r, a, false)
}

func (s *Server) listSupportRequests(w http.ResponseWriter, r *http.Request) error {
	a, err := s.supportAccount(r)
	if err != nil {
		return err
	}
	return s.listTickets(w, r, a)
}

func (s *Server) fileMySupportRequest(w http.ResponseWriter, r *http.Request, p principal) error {
	return s.fileTicket(w, r, p.Account, true)
}

func (s *Server) listMySupportRequests(w http.ResponseWriter, r *http.Request, p principal) error {
	return s.listTickets(w, r, p.Account)
}

// checkSupportRequest answers 400 for a request with a topic not of
// authapi.SupportTopics, no description, a description or report too
// long or with a control character, or one that holds a secret
// (secret_in_request, naming it).
func checkSupportRequest(req authapi.SupportRequest) error {
	if !slices.Contains(authapi.SupportTopics, req.Topic) {
		return problemField(http.StatusBadRequest, authapi.CodeInvalidRequest, "topic",
			"The topic must be one of "+strings.Join(authapi.SupportTopics, ", ")+".")
	}
	if err := required("description", strings.TrimSpace(req.Description)); err != nil {
		return err
	}
	for _, f := range []struct {
		name, text string
		max        int
	}{{"description", req.Description, authapi.MaxSupportDescription}, {"report", req.Report, authapi.MaxSupportReport}} {
		if len(f.text) > f.max {
			return problemField(http.StatusBadRequest, authapi.CodeInvalidRequest, f.name,
				fmt.Sprintf("The member %q is longer than %d bytes.", f.name, f.max))
		}
		if strings.ContainsFunc(f.text, control) {
			return problemField(http.StatusBadRequest, authapi.CodeInvalidRequest, f.name,
				fmt.Sprintf("The member %q holds a control character other than a line break or tab.", f.name))
		}
		var se *recovery.SecretError
		if errors.As(recovery.FindSecret(f.text), &se) {
			p := problemField(http.StatusBadRequest, authapi.CodeSecretInRequest, f.name,
				"The request holds a secret ("+strings.ReplaceAll(string(se.Kind), "_", " ")+"): remove it. Support never needs it.")
			p.Secret = se.Kind
			return p
		}
	}
	return nil
}

// control reports a control character that is not a line break or tab
// (PostgreSQL stores no NUL).
func control(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }

// fileTicket stores a support request of a and answers 201 with its
// number and staff phrase; the confirmation is mailed. 409 support_limit
// when a has Config.MaxOpenTickets requests open; 429 past
// Config.TicketsPerDay.
func (s *Server) fileTicket(w http.ResponseWriter, r *http.Request, a store.Account, signedIn bool) error {
	var req authapi.SupportRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := checkSupportRequest(req); err != nil {
		return err
	}
	ctx := r.Context()
	if err := s.limit(ctx, s.ticketRate, ticketKey(a.ID)); err != nil {
		return err
	}
	phrase, err := staffPhrase(a.Language)
	if err != nil {
		return err
	}
	now := s.cfg.Now().UTC()
	t := store.Ticket{AccountID: a.ID, Email: a.Email, Language: a.Language, Topic: req.Topic, Description: req.Description,
		Report: req.Report, StaffPhrase: phrase, Status: authapi.TicketOpen, SignedIn: signedIn, CreatedAt: now, UpdatedAt: now}
	for try := 0; ; try++ {
		t.Number = ticketNumber()
		err = s.cfg.Store.CreateTicket(ctx, t, s.cfg.MaxOpenTickets)
		if !errors.Is(err, store.ErrExists) || try == 2 {
			break
		}
	}
	if errors.Is(err, store.ErrTicketLimit) {
		return problem(http.StatusConflict, authapi.CodeSupportLimit,
			fmt.Sprintf("This account has %d open support requests: wait for their replies.", s.cfg.MaxOpenTickets))
	} else if err != nil {
		return err
	}
	d := accountData(a)
	d.Ticket, d.StaffPhrase = t.Number, t.StaffPhrase
	s.sendMail(mail.Compose(mail.KindSupportReceived, a.Email, d))
	t.Replies = []store.TicketReply{}
	return writeJSON(w, http.StatusCreated, TicketView(t))
}

func (s *Server) listTickets(w http.ResponseWriter, r *http.Request, a store.Account) error {
	list, err := s.cfg.Store.Tickets(r.Context(), a.ID)
	if err != nil {
		return err
	}
	out := authapi.SupportTicketList{Tickets: []authapi.SupportTicket{}}
	for _, t := range list {
		out.Tickets = append(out.Tickets, TicketView(t))
	}
	return writeJSON(w, http.StatusOK, out)
}

// TicketView is a ticket as its owner sees it: the staff's replies without
// their names.
func TicketView(t store.Ticket) authapi.SupportTicket {
	v := authapi.SupportTicket{Number: t.Number, StaffPhrase: t.StaffPhrase, Topic: t.Topic, Description: t.Description,
		Status: t.Status, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, Replies: []authapi.SupportReply{}}
	for _, rp := range t.Replies {
		v.Replies = append(v.Replies, authapi.SupportReply{At: rp.At, Text: rp.Text})
	}
	return v
}

// ticketNumber makes a random ticket number: "SR-" and two groups of four
// Crockford characters.
func ticketNumber() string {
	c := authapi.NewRecoveryCode()
	return "SR-" + c[:4] + "-" + c[4:8]
}

// staffPhrase makes a staff phrase in the language of the account's
// mails: four characters of the Simplified Chinese list, or three English
// words.
func staffPhrase(language string) (string, error) {
	l, n, sep := recovery.English, 3, " "
	if language == "zh-Hans" {
		l, n, sep = recovery.ChineseSimplified, 4, ""
	}
	words, err := recovery.RandomWords(l, n, rand.Reader)
	return strings.Join(words, sep), err
}

// TicketReplyMail is the mail that carries the staff's reply text to the
// owner of the ticket t, account a, in the account's language.
func TicketReplyMail(a store.Account, t store.Ticket, text string) mail.Message {
	d := accountData(a)
	d.Ticket, d.StaffPhrase, d.Reply = t.Number, t.StaffPhrase, text
	return mail.Compose(mail.KindSupportReply, a.Email, d)
}

// supportDefaults fills the support fields of cfg.
func supportDefaults(cfg *Config) {
	fill(&cfg.TicketsPerDay, defaultTicketsPerDay)
	fill(&cfg.MaxOpenTickets, defaultMaxOpenTickets)
	fill(&cfg.TicketRetention, DefaultTicketRetention)
}
