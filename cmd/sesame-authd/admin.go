package main

// sesame-authd admin: the operator's commands on accounts, on the database
// the servers share, each change written to the audit log.

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"sesame/authapi"
	"sesame/server/store"
)

// errNoAccount reports an address or id that has no account.
var errNoAccount = errors.New("no such account")

// adminCommand is one command of sesame-authd admin.
type adminCommand struct {
	name, args, help string
	// action is the store's action of a command that changes the account
	// (see store.Administer); empty for one that only reads.
	action string
	// flags names the flags the command takes besides --db and --json.
	flags []string
	run   func(ctx context.Context, a *adminRun) error
}

// adminCommands are the commands, in the order --help lists them.
var adminCommands = []adminCommand{
	{name: "find", args: "TEXT", help: "list the accounts whose address contains TEXT, the newest first", flags: []string{"limit"}, run: adminFind},
	{name: "show", args: "EMAIL|ID", help: "an account's state, two-factor, locks, sessions, devices and last activity;\n" +
		"for an address with no account, its pending registrations", run: adminShow},
	{name: "suspend", args: "EMAIL|ID", help: "suspend the account and end its sessions, pending sign-ins and device trust\n" +
		"(its sign-in then answers account_suspended); needs --reason", action: store.ActionSuspend, flags: []string{"operator", "reason"}},
	{name: "unsuspend", args: "EMAIL|ID", help: "reinstate a suspended account", action: store.ActionUnsuspend, flags: []string{"operator", "reason"}},
	{name: "unlock", args: "EMAIL|ID", help: "lift the sign-in locks and wrong-code budgets of the address, its reset and its devices",
		action: store.ActionUnlock, flags: []string{"operator", "reason"}},
	{name: "revoke-sessions", args: "EMAIL|ID", help: "end every session and pending sign-in of the account",
		action: store.ActionRevokeSessions, flags: []string{"operator", "reason"}},
	{name: "delete", args: "EMAIL|ID", help: "erase the account and everything kept about it or its address; needs --yes",
		action: store.ActionDelete, flags: []string{"operator", "reason", "yes"}},
	{name: "export", args: "EMAIL|ID", help: "the account's data as JSON (never a password hash, TOTP secret, token or code);\n" +
		"recorded in the audit log", action: store.ActionExport, flags: []string{"operator", "reason"}, run: adminExport},
	{name: "log", help: "the audit log, the newest first", flags: []string{"limit", "account"}, run: adminLog},
	{name: "tickets list", help: "the support requests of --status, the least recently updated first", flags: []string{"limit", "status"}, run: ticketsList},
	{name: "tickets show", args: "NUMBER", help: "a support request: its account, description, the app's report and the replies", run: ticketsShow},
	{name: "tickets reply", args: "NUMBER", help: "reply --text to a support request; the reply is mailed in the account's language\n" +
		"(--smtp or --local-mailbox, as for the server) and shown in the app", action: store.ActionTicketReply,
		flags: []string{"operator", "reason", "text", "mail"}, run: ticketsAnswer},
	{name: "tickets close", args: "NUMBER", help: "close a support request, with a last reply when --text is given (mailed as by reply)",
		action: store.ActionTicketClose, flags: []string{"operator", "reason", "text", "mail"}, run: ticketsAnswer},
	{name: "tickets unlock", args: "NUMBER", help: "unlock the account of a support request (see unlock)", action: store.ActionUnlock,
		flags: []string{"operator", "reason"}, run: ticketsAdminister},
	{name: "tickets unsuspend", args: "NUMBER", help: "reinstate the suspended account of a support request", action: store.ActionUnsuspend,
		flags: []string{"operator", "reason"}, run: ticketsAdminister},
}

const adminUsage = `Usage: sesame-authd admin COMMAND [flags] [EMAIL|ID|TEXT]

The operator's commands on the accounts of a server's database (a SQLite
file or a PostgreSQL URL, given by --db or $SESAME_DB as for the server);
they act at once on every server running on it. An account is named by its
email address or its id. --json prints JSON with stable field names for
scripts. A missing account exits with status 1. On a SQLite file, run it
as the user the server runs as (sudo -u USER sesame-authd admin ...), so
that the files SQLite makes beside the database stay the server's;
$SUDO_USER then names you in the audit log.

Every command that changes an account (and export) writes an entry to the
audit log in the same transaction as the change: time, operator (--operator,
else $SUDO_USER, else $USER), action, account id and address, reason and
outcome. "admin log" shows it. The audit log outlives the accounts it names;
deleting an account erases its email address from the audit log too, as from
every other table, and keeps only its id (a random string): note the id
before deleting if you need to refer to the account later. Do not write
personal data in --reason.

Commands:
`

// adminOptions are the flags of the admin commands.
type adminOptions struct {
	db, operator, reason, account string
	json, yes                     bool
	limit                         int
	// status and text are of the tickets commands; smtp, mailFrom and
	// local choose the delivery of a reply's mail.
	status, text, smtp, mailFrom string
	local                        bool
}

// adminRun is one admin command being run.
type adminRun struct {
	cmd    adminCommand
	o      adminOptions
	args   []string
	st     store.Store
	stdout io.Writer
}

func adminHelp(w io.Writer) {
	fmt.Fprint(w, adminUsage)
	for _, c := range adminCommands {
		fmt.Fprintf(w, "  %s\n", strings.TrimSpace(c.name+" "+c.args))
		fmt.Fprintf(w, "        %s\n", strings.ReplaceAll(c.help, "\n", "\n        "))
	}
	fmt.Fprint(w, "\nFlags (each command takes those that apply to it):\n")
	var o adminOptions
	adminFlags(&o, adminFlagNames, w).PrintDefaults()
}

// adminFlagNames are the flags of the admin commands besides --db and
// --json.
var adminFlagNames = []string{"operator", "reason", "yes", "limit", "account", "status", "text", "mail"}

// adminFlags defines --db and --json and the flags named in only.
func adminFlags(o *adminOptions, only []string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("sesame-authd admin", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&o.db, "db", "sesame-authd.db", dbUsage)
	fs.BoolVar(&o.json, "json", false, "print JSON with stable field names instead of text")
	takes := func(name string) bool { return slices.Contains(only, name) }
	if takes("operator") {
		fs.StringVar(&o.operator, "operator", "", "who acts (`name`), for the audit log; $SUDO_USER or $USER when unset")
	}
	if takes("reason") {
		fs.StringVar(&o.reason, "reason", "", "why (`text`), for the audit log; suspend needs one")
	}
	if takes("yes") {
		fs.BoolVar(&o.yes, "yes", false, "confirm a deletion, which cannot be undone")
	}
	if takes("limit") {
		fs.IntVar(&o.limit, "limit", 50, "show at most `n` entries (1 to 1000)")
	}
	if takes("account") {
		fs.StringVar(&o.account, "account", "", "only the entries of the account `EMAIL|ID` (of a deleted account, by its id)")
	}
	if takes("status") {
		fs.StringVar(&o.status, "status", authapi.TicketOpen, "the support requests' `status`: open, answered, closed or all")
	}
	if takes("text") {
		fs.StringVar(&o.text, "text", "", "the reply (`text`) to the user; never ask for a password, a code or a recovery phrase")
	}
	if takes("mail") {
		fs.StringVar(&o.smtp, "smtp", "", "mail the reply through this SMTP `URL`, as the server does ($SESAME_SMTP_URL when unset)")
		fs.StringVar(&o.mailFrom, "mail-from", "Sesame <no-reply@localhost>", "sender `address` of the reply's mail")
		fs.BoolVar(&o.local, "local-mailbox", false, "keep the reply's mail in the database's local outbox, as the server does")
	}
	return fs
}

// admin is `sesame-authd admin`.
func admin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		adminHelp(stderr)
		if len(args) == 0 {
			return errors.New("admin needs a command (see sesame-authd admin --help)")
		}
		return flag.ErrHelp
	}
	name := args[0]
	if name == "tickets" && len(args) > 1 {
		// The tickets commands are two words.
		name, args = name+" "+args[1], args[1:]
	}
	var cmd *adminCommand
	for i := range adminCommands {
		if adminCommands[i].name == name {
			cmd = &adminCommands[i]
		}
	}
	if cmd == nil {
		return fmt.Errorf("unknown admin command %q (see sesame-authd admin --help)", name)
	}
	a := &adminRun{cmd: *cmd, stdout: stdout}
	fs := adminFlags(&a.o, cmd.flags, stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: sesame-authd admin %s [flags] %s\n  %s\n", cmd.name, cmd.args, cmd.help)
		fs.PrintDefaults()
	}
	// Flags may come before and after the argument.
	rest := args[1:]
	for {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		a.args = append(a.args, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	// Every command takes one argument, but log, which takes none.
	if want := len(strings.Fields(cmd.args)); len(a.args) != want {
		return fmt.Errorf("usage: sesame-authd admin %s %s", cmd.name, cmd.args)
	}
	if err := a.check(); err != nil {
		return err
	}
	st, err := openStore(ctx, fs, a.o.db)
	if err != nil {
		return err
	}
	defer st.Close()
	a.st = st
	if cmd.run == nil {
		return a.change(ctx)
	}
	return cmd.run(ctx, a)
}

// check refuses what is missing before the database is opened.
func (a *adminRun) check() error {
	if a.cmd.action != "" {
		a.o.operator = strings.TrimSpace(a.o.operator)
		for _, env := range []string{"SUDO_USER", "USER"} {
			if a.o.operator == "" {
				a.o.operator = os.Getenv(env)
			}
		}
		if a.o.operator == "" {
			return errors.New("who is acting? give --operator NAME (neither $SUDO_USER nor $USER is set)")
		}
	}
	switch {
	case a.cmd.action == store.ActionSuspend && strings.TrimSpace(a.o.reason) == "":
		return errors.New("suspend needs --reason TEXT, for the audit log")
	case a.cmd.action == store.ActionDelete && !a.o.yes:
		return errors.New("delete erases the account and everything kept about it, for good: add --yes")
	case slices.Contains(a.cmd.flags, "limit") && (a.o.limit < 1 || a.o.limit > 1000):
		return errors.New("--limit must be 1 to 1000")
	}
	return a.checkTickets()
}

// account finds the account named by an email address or an id.
func (a *adminRun) account(ctx context.Context, name string) (store.Account, error) {
	var acct store.Account
	var err error
	if strings.Contains(name, "@") {
		acct, err = a.st.AccountByEmail(ctx, authapi.NormalizeEmail(name))
	} else {
		acct, err = a.st.AccountByID(ctx, name)
	}
	if errors.Is(err, store.ErrNotFound) {
		return acct, fmt.Errorf("%w: %s", errNoAccount, name)
	}
	return acct, err
}

// emit prints v as JSON, or as text.
func (a *adminRun) emit(v any, text func(w io.Writer)) error {
	if a.o.json {
		e := json.NewEncoder(a.stdout)
		e.SetIndent("", "  ")
		return e.Encode(v)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	text(tw)
	return tw.Flush()
}

// change does the command's action and prints the audit entry written.
func (a *adminRun) change(ctx context.Context) error {
	acct, err := a.account(ctx, a.args[0])
	if err != nil {
		return err
	}
	e, err := a.administer(ctx, acct)
	if err != nil {
		return err
	}
	return a.emit(auditView(e), func(w io.Writer) {
		fmt.Fprintf(w, "%s %s (%s): %s\n", a.cmd.name, acct.Email, acct.ID, e.Outcome)
	})
}

func (a *adminRun) administer(ctx context.Context, acct store.Account) (store.AuditEntry, error) {
	e, err := a.st.Administer(ctx, store.AuditEntry{At: time.Now().UTC(), Operator: a.o.operator, Action: a.cmd.action,
		AccountID: acct.ID, Reason: strings.TrimSpace(a.o.reason)})
	if errors.Is(err, store.ErrNotFound) {
		// Deleted meanwhile.
		return e, fmt.Errorf("%w: %s", errNoAccount, a.args[0])
	}
	return e, err
}

// The JSON of the admin commands.
type (
	accountJSON struct {
		ID        string    `json:"id"`
		Email     string    `json:"email"`
		State     string    `json:"state"`
		Verified  bool      `json:"verified"`
		TwoFactor bool      `json:"two_factor"`
		CreatedAt time.Time `json:"created_at"`
	}
	lockJSON struct {
		// Key is "address", "reset" or "device".
		Key         string     `json:"key"`
		DeviceID    string     `json:"device_id,omitempty"`
		Failures    int        `json:"failures"`
		LockCount   int        `json:"lock_count"`
		LockedUntil *time.Time `json:"locked_until"`
	}
	sessionJSON struct {
		ID         string    `json:"id"`
		DeviceName string    `json:"device_name"`
		DeviceID   string    `json:"device_id"`
		IP         string    `json:"ip"`
		CreatedAt  time.Time `json:"created_at"`
		LastSeenAt time.Time `json:"last_seen_at"`
	}
	deviceJSON struct {
		ID           string     `json:"id"`
		Name         string     `json:"name"`
		CreatedAt    time.Time  `json:"created_at"`
		LastSeenAt   time.Time  `json:"last_seen_at"`
		TrustedUntil *time.Time `json:"trusted_until"`
	}
	registrationJSON struct {
		CreatedAt     time.Time `json:"created_at"`
		CodeExpiresAt time.Time `json:"code_expires_at"`
		AttemptsLeft  int       `json:"attempts_left"`
	}
	// showJSON is admin show; Account is null for an address with no
	// account.
	showJSON struct {
		Account           *accountJSON            `json:"account"`
		RecoveryCodesLeft int                     `json:"recovery_codes_left"`
		Locks             []lockJSON              `json:"locks"`
		Sessions          []sessionJSON           `json:"sessions"`
		Devices           []deviceJSON            `json:"devices"`
		Activity          []authapi.ActivityEvent `json:"activity"`
		Registrations     []registrationJSON      `json:"registrations"`
	}
	// exportJSON is admin export: what the account's owner may have.
	exportJSON struct {
		ExportedAt         time.Time               `json:"exported_at"`
		Account            accountJSON             `json:"account"`
		AntiPhishingPhrase string                  `json:"anti_phishing_phrase"`
		RecoveryCodesLeft  int                     `json:"recovery_codes_left"`
		Sessions           []sessionJSON           `json:"sessions"`
		Devices            []deviceJSON            `json:"devices"`
		Activity           []authapi.ActivityEvent `json:"activity"`
		// SupportRequests are hers as the app shows them.
		SupportRequests []authapi.SupportTicket `json:"support_requests"`
	}
	auditJSON struct {
		Seq       int64     `json:"seq"`
		At        time.Time `json:"at"`
		Operator  string    `json:"operator"`
		Action    string    `json:"action"`
		AccountID string    `json:"account_id"`
		Email     string    `json:"email"`
		Reason    string    `json:"reason"`
		Outcome   string    `json:"outcome"`
	}
)

func accountView(a store.Account) accountJSON {
	state := "active"
	if a.Suspended {
		state = "suspended"
	}
	return accountJSON{ID: a.ID, Email: a.Email, State: state, Verified: a.Verified, TwoFactor: a.TOTPEnabled, CreatedAt: a.CreatedAt}
}

func auditView(e store.AuditEntry) auditJSON {
	return auditJSON{Seq: e.Seq, At: e.At, Operator: e.Operator, Action: e.Action, AccountID: e.AccountID, Email: e.Email,
		Reason: e.Reason, Outcome: e.Outcome}
}

// orNull is t, or null for the zero time.
func orNull(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// when prints a time for the text output.
func when(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func adminFind(ctx context.Context, a *adminRun) error {
	list, err := a.st.FindAccounts(ctx, strings.ToLower(a.args[0]), a.o.limit)
	if err != nil {
		return err
	}
	out := []accountJSON{}
	for _, acct := range list {
		out = append(out, accountView(acct))
	}
	return a.emit(out, func(w io.Writer) {
		fmt.Fprintln(w, "ID\tEMAIL\tSTATE\tVERIFIED\tTWO-FACTOR\tCREATED")
		for _, v := range out {
			fmt.Fprintf(w, "%s\t%s\t%s\t%v\t%v\t%s\n", v.ID, v.Email, v.State, v.Verified, v.TwoFactor, when(&v.CreatedAt))
		}
	})
}

// accountData reads what show and export print of an account: its
// sessions, devices, activity (at most limit entries) and recovery codes
// left.
func (a *adminRun) accountData(ctx context.Context, acct store.Account, limit int) (ss []sessionJSON, ds []deviceJSON, act []authapi.ActivityEvent, left int, err error) {
	sessions, err := a.st.Sessions(ctx, acct.ID)
	if err != nil {
		return
	}
	devices, err := a.st.Devices(ctx, acct.ID)
	if err != nil {
		return
	}
	if act, err = a.st.Activity(ctx, acct.ID, limit); err != nil {
		return
	}
	if left, err = a.st.RecoveryCodesLeft(ctx, acct.ID); err != nil {
		return
	}
	ss, ds = []sessionJSON{}, []deviceJSON{}
	for _, se := range sessions {
		ss = append(ss, sessionJSON{ID: se.ID, DeviceName: se.DeviceName, DeviceID: se.DeviceID, IP: se.IP, CreatedAt: se.CreatedAt, LastSeenAt: se.LastSeenAt})
	}
	for _, d := range devices {
		ds = append(ds, deviceJSON{ID: d.ID, Name: d.DeviceName, CreatedAt: d.CreatedAt, LastSeenAt: d.LastSeenAt, TrustedUntil: orNull(d.TrustedUntil)})
	}
	return
}

func adminShow(ctx context.Context, a *adminRun) error {
	acct, err := a.account(ctx, a.args[0])
	missing := errors.Is(err, errNoAccount)
	if err != nil && !(missing && strings.Contains(a.args[0], "@")) {
		return err
	}
	email := authapi.NormalizeEmail(a.args[0])
	v := showJSON{Locks: []lockJSON{}, Sessions: []sessionJSON{}, Devices: []deviceJSON{}, Activity: []authapi.ActivityEvent{}, Registrations: []registrationJSON{}}
	keys := []lockJSON{{Key: "address"}, {Key: "reset"}}
	if !missing {
		email = acct.Email
		av := accountView(acct)
		v.Account = &av
		if v.Sessions, v.Devices, v.Activity, v.RecoveryCodesLeft, err = a.accountData(ctx, acct, 10); err != nil {
			return err
		}
		for _, d := range v.Devices {
			keys = append(keys, lockJSON{Key: "device", DeviceID: d.ID})
		}
	}
	for _, k := range keys {
		key := map[string]string{"address": email, "reset": store.ResetKeyPrefix + email, "device": store.DeviceKeyPrefix + k.DeviceID}[k.Key]
		l, err := a.st.Lockout(ctx, key)
		if err != nil {
			return err
		}
		if l != (store.Lockout{}) {
			k.Failures, k.LockCount, k.LockedUntil = l.Failures, l.LockCount, orNull(l.LockedUntil)
			v.Locks = append(v.Locks, k)
		}
	}
	regs, err := a.st.Registrations(ctx, email, time.Now())
	if err != nil {
		return err
	}
	for _, r := range regs {
		v.Registrations = append(v.Registrations, registrationJSON{CreatedAt: r.CreatedAt, CodeExpiresAt: r.CodeExpiresAt, AttemptsLeft: r.Attempts})
	}
	err = a.emit(v, func(w io.Writer) { showText(w, email, v) })
	if missing {
		return errors.Join(err, fmt.Errorf("%w: %s (%d pending registrations)", errNoAccount, email, len(v.Registrations)))
	}
	return err
}

func showText(w io.Writer, email string, v showJSON) {
	if a := v.Account; a != nil {
		fmt.Fprintf(w, "Account\t%s\nEmail\t%s\nState\t%s\nVerified\t%v\nCreated\t%s\n", a.ID, a.Email, a.State, a.Verified, when(&a.CreatedAt))
		twoFactor := "off"
		if a.TwoFactor {
			twoFactor = fmt.Sprintf("on, %d recovery codes left", v.RecoveryCodesLeft)
		}
		fmt.Fprintf(w, "Two-factor\t%s\n", twoFactor)
	} else {
		fmt.Fprintf(w, "Email\t%s\nAccount\tnone\n", email)
	}
	fmt.Fprintf(w, "\nLocks: %d\n", len(v.Locks))
	for _, l := range v.Locks {
		fmt.Fprintf(w, "  %s %s\tfailures %d\tlocks %d\tlocked until %s\n", l.Key, l.DeviceID, l.Failures, l.LockCount, when(l.LockedUntil))
	}
	if v.Account != nil {
		fmt.Fprintf(w, "\nSessions: %d\n", len(v.Sessions))
		for _, s := range v.Sessions {
			fmt.Fprintf(w, "  %s\t%s\t%s\tcreated %s\tlast seen %s\n", s.ID, s.DeviceName, s.IP, when(&s.CreatedAt), when(&s.LastSeenAt))
		}
		fmt.Fprintf(w, "\nDevices: %d\n", len(v.Devices))
		for _, d := range v.Devices {
			fmt.Fprintf(w, "  %s\t%s\tlast seen %s\ttrusted until %s\n", d.ID, d.Name, when(&d.LastSeenAt), when(d.TrustedUntil))
		}
		fmt.Fprintf(w, "\nLast activity: %d\n", len(v.Activity))
		for _, e := range v.Activity {
			fmt.Fprintf(w, "  %s\t%s\t%s\t%s\n", when(&e.At), e.Result, e.IP, e.DeviceName)
		}
	}
	if len(v.Registrations) > 0 || v.Account == nil {
		fmt.Fprintf(w, "\nPending registrations: %d\n", len(v.Registrations))
		for _, r := range v.Registrations {
			fmt.Fprintf(w, "  created %s\tcode expires %s\t%d attempts left\n", when(&r.CreatedAt), when(&r.CodeExpiresAt), r.AttemptsLeft)
		}
	}
}

func adminExport(ctx context.Context, a *adminRun) error {
	acct, err := a.account(ctx, a.args[0])
	if err != nil {
		return err
	}
	v := exportJSON{ExportedAt: time.Now().UTC(), Account: accountView(acct), AntiPhishingPhrase: acct.AntiPhishing}
	if v.Sessions, v.Devices, v.Activity, v.RecoveryCodesLeft, err = a.accountData(ctx, acct, math.MaxInt32); err != nil {
		return err
	}
	if v.SupportRequests, err = a.supportRequests(ctx, acct); err != nil {
		return err
	}
	if _, err := a.administer(ctx, acct); err != nil {
		return err
	}
	// Always JSON: it is the export's format.
	a.o.json = true
	return a.emit(v, nil)
}

func adminLog(ctx context.Context, a *adminRun) error {
	account := a.o.account
	if strings.Contains(account, "@") {
		account = authapi.NormalizeEmail(account)
	}
	list, err := a.st.AuditLog(ctx, account, a.o.limit)
	if err != nil {
		return err
	}
	out := []auditJSON{}
	for _, e := range list {
		out = append(out, auditView(e))
	}
	return a.emit(out, func(w io.Writer) {
		fmt.Fprintln(w, "TIME\tOPERATOR\tACTION\tACCOUNT\tEMAIL\tREASON\tOUTCOME")
		for _, e := range out {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", when(&e.At), e.Operator, e.Action, e.AccountID, e.Email, e.Reason, e.Outcome)
		}
	})
}
