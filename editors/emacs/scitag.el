;;; scitag.el --- scitag (biomedical entity highlighting) with eglot  -*- lexical-binding: t; -*-

;; Use: put `scitag' on your PATH (see the repository README), then
;;   (load "/path/to/scitag/editors/emacs/scitag.el")
;;   M-x eglot   in a Markdown or LaTeX buffer (or (add-hook 'markdown-mode-hook #'eglot-ensure)).
;;
;; Emacs 28 with eglot 1.9 (Debian: emacs-nox, elpa-eglot) or Emacs 29+ (eglot built in). Eglot shows
;; scitag's diagnostics (low confidence, consistency) through Flymake and its code actions with
;; M-x eglot-code-actions: "Ignore «term» in this project", "Always tag «term» as ...", which edit
;; the project's scitag.toml in a buffer; save it (C-x C-s) and the next change re-applies it.
;; Eglot 1.9 has no semantic tokens, so there are no colours: hovers (M-x eldoc) and diagnostics only.

;;; Code:

(require 'eglot)

(defgroup scitag nil "Biomedical entity highlighting with scitag." :group 'tools)

(defcustom scitag-command '("scitag" "lsp")
  "The command that starts the scitag language server."
  :type '(repeat string))

(defcustom scitag-modes
  '(markdown-mode gfm-mode latex-mode LaTeX-mode tex-mode plain-tex-mode text-mode)
  "Major modes eglot starts scitag for."
  :type '(repeat symbol))

(add-to-list 'eglot-server-programs (cons scitag-modes (lambda (&rest _) scitag-command)))

(provide 'scitag)
;;; scitag.el ends here
