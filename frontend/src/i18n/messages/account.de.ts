/** German texts of the account area: the same keys as the English file, checked by the compiler. */
import type { Catalogue } from "../catalogue";
import type { account as en } from "./account.en";

export const account: Catalogue<typeof en> = {
  "account.displayName": "Anzeigename",
  "account.userId": "Benutzer-ID",
  "account.globalRoles": "Globale Rollen",
  "account.systemRoles": "Rollen je System",
  "account.userEverywhere": "Überall Benutzer",
  "account.role.user": "Benutzer",
  "account.role.manager": "Manager",

  "account.language": "Sprache",
  "account.languageHint": "Gilt sofort für alle Seiten; dieser Browser merkt sich die Wahl.",
  "account.browserDefault": "Wie der Browser ({name})",

  "account.name.title": "Ihr Name",
  "account.name.saved": "Gespeichert. Tickets zeigen Ihren neuen Namen in wenigen Sekunden.",
  "account.name.hint": "Was andere auf Tickets und Kommentaren sehen; 1 bis 100 Zeichen.",
  "account.name.save": "Namen speichern",

  "account.sessions.title": "Sitzungen",
  "account.sessions.text": "Gerät verloren oder irgendwo angemeldet, wo Sie es nicht sein sollten? Damit beenden Sie alle Ihre Sitzungen, in jedem Browser und auf jedem Gerät, auch diese hier.",
  "account.sessions.button": "Überall abmelden",

  "account.password.title": "Passwort ändern",
  "account.password.text": "Eine Änderung meldet Sie überall ab: in jedem Browser und auf jedem Gerät.",
  "account.password.hint": "Mindestens 8 Zeichen; nicht gängig, nicht nur Ziffern, nicht wie Ihr Name; keines Ihrer letzten fünf.",
  "account.password.button": "Passwort ändern und überall abmelden",

  "account.totp.title": "Anmeldung in zwei Schritten (TOTP)",
  "account.totp.addKey": "Fügen Sie den Schlüssel Ihrer Authenticator-App hinzu und geben Sie dann den angezeigten Code ein.",
  "account.totp.onDone": "Die Anmeldung in zwei Schritten ist eingeschaltet.",
  "account.totp.offDone": "Die Anmeldung in zwei Schritten ist ausgeschaltet.",
  "account.totp.on": "Ein: Bei der Anmeldung wird ein Code aus Ihrer Authenticator-App abgefragt.",
  "account.totp.offCode": "Aktueller Code (zum Ausschalten)",
  "account.totp.turnOff": "Anmeldung in zwei Schritten ausschalten",
  "account.totp.keyIntro": "Fügen Sie diesen Schlüssel Ihrer Authenticator-App hinzu (von Hand, oder öffnen Sie den Link auf einem Telefon mit einer solchen App):",
  "account.totp.secret": "Geheimer Schlüssel",
  "account.totp.openApp": "In einer Authenticator-App öffnen",
  "account.totp.code": "Code aus der App",
  "account.totp.confirm": "Bestätigen und einschalten",
  "account.totp.off": "Aus. Schalten Sie sie ein, um bei jeder Anmeldung einen Code aus einer Authenticator-App zu verlangen.",
  "account.totp.setUp": "Anmeldung in zwei Schritten einrichten",

  "account.signIn.title": "Beim Service Desk anmelden",
  "account.signIn.ready": "Ihr Konto ist bereit. Melden Sie sich an.",
  "account.signIn.username": "Benutzername oder E-Mail",
  "account.signIn.otp": "Bestätigungscode",
  "account.signIn.otpHint": "Der sechsstellige Code aus Ihrer Authenticator-App.",
  "account.signIn.busy": "Anmeldung läuft…",
  "account.signIn.button": "Anmelden",
  "account.signIn.newHere": "Neu hier? {link}",
  "account.signIn.register": "Konto anlegen",

  "account.register.title": "Konto anlegen",
  "account.register.passwordHint": "Mindestens 8 Zeichen; kein gängiges Passwort, nicht nur Ziffern, nicht wie Ihr Benutzername oder Ihre E-Mail. Ein paar Wörter ergeben ein gutes.",
  "account.register.repeat": "Passwort wiederholen",
  "account.register.mismatch": "Die beiden Passwörter stimmen nicht überein.",
  "account.register.busy": "Wird angelegt…",
  "account.register.button": "Konto anlegen",
  "account.register.haveOne": "Sie haben schon ein Konto? {link}",
  "account.register.signIn": "Anmelden",
};
