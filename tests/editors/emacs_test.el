;;; emacs_test.el --- Emacs + eglot end-to-end test of scitag's glossary code action  -*- lexical-binding: t; -*-
;; Run by tests/editors/emacs.sh: emacs --batch with editors/emacs/scitag.el loaded.
;; A third client proves the code actions are plain WorkspaceEdits: open a manuscript, wait for the
;; analysis, ask for the code actions on "glucocorticoid receptor", apply "Ignore «…» in this
;; project" with eglot's own workspace-edit code, save scitag.toml, edit the manuscript, and the
;; mention is gone (no entity there, so no entity actions).

(require 'cl-lib)
(require 'eglot)

(defvar scitag-test-dir (getenv "SCITAG_TEST_DIR"))
(defvar scitag-test-failures 0)
(defvar scitag-test-passes 0)

(defun scitag-test-check (ok what &optional detail)
  (if ok
      (progn (setq scitag-test-passes (1+ scitag-test-passes)) (message "ok   %s" what))
    (setq scitag-test-failures (1+ scitag-test-failures))
    (message "FAIL %s\n     %s" what (or detail ""))))

(defun scitag-test-finish ()
  (message "%d passed, %d failed" scitag-test-passes scitag-test-failures)
  (kill-emacs (if (= scitag-test-failures 0) 0 1)))

(defun scitag-test-wait (predicate seconds)
  "Poll PREDICATE for up to SECONDS while serving the server's messages."
  (let ((deadline (+ (float-time) seconds)) (result nil))
    (while (and (not (setq result (funcall predicate))) (< (float-time) deadline))
      (accept-process-output nil 0.2))
    result))

(defun scitag-test-analyses ()
  (let ((status (jsonrpc-request (eglot--current-server-or-lose) :scitag/status nil)))
    (or (plist-get status :analyses) 0)))

(defun scitag-test-actions-at (needle)
  (goto-char (point-min))
  (search-forward needle)
  (let ((end (point)) (start (- (point) (length needle))))
    (eglot-code-actions start end nil nil)))

(condition-case err
    (let* ((paper (expand-file-name "paper.md" scitag-test-dir))
           (glossary (expand-file-name "scitag.toml" scitag-test-dir))
           (term "glucocorticoid receptor"))
      ;; eglot asks before editing a file no buffer visits; the test says yes, as a user would
      (advice-add 'y-or-n-p :override (lambda (&rest _) t))
      (find-file paper)
      (text-mode)
      (apply #'eglot (eglot--guess-contact))
      (scitag-test-check (scitag-test-wait (lambda () (eglot-current-server)) 60)
                         "eglot connected to scitag")
      (scitag-test-check (scitag-test-wait (lambda () (>= (scitag-test-analyses) 1)) 120)
                         "the server analysed the manuscript")
      (let* ((actions (scitag-test-actions-at term))
             (title (format "Ignore «%s» in this project" term))
             (ignore (cl-find-if (lambda (a) (equal (plist-get a :title) title)) actions)))
        (scitag-test-check ignore (format "the code action %S is offered" title)
                           (mapcar (lambda (a) (plist-get a :title)) actions))
        (scitag-test-check (not (file-exists-p glossary)) "the code action itself writes nothing")
        (when ignore
          (eglot--apply-workspace-edit (plist-get ignore :edit))
          (let ((buffer (find-buffer-visiting glossary)))
            (scitag-test-check buffer "eglot opened scitag.toml from the WorkspaceEdit")
            (when buffer
              (with-current-buffer buffer (save-buffer))))
          (scitag-test-check (and (file-exists-p glossary)
                                  (with-temp-buffer
                                    (insert-file-contents glossary)
                                    (search-forward term nil t)))
                             "scitag.toml is written and lists the term")
          ;; one change to the manuscript: the server analyses again and reads the new glossary
          (let ((before (scitag-test-analyses)))
            (with-current-buffer (find-buffer-visiting paper)
              (goto-char (point-max))
              (insert " ")
              (eglot--signal-textDocument/didChange))
            (scitag-test-check (scitag-test-wait (lambda () (> (scitag-test-analyses) before)) 60)
                               "the server analysed the edit"))
          (with-current-buffer (find-buffer-visiting paper)
            ;; no entity there any more: only the actions for a selection are offered. The edit's
            ;; analysis may run before the server has read the saved glossary (its file watcher
            ;; reports the save separately), so the test waits for the re-analysis that follows.
            (let* ((titles nil)
                   (gone (lambda ()
                           (setq titles (mapcar (lambda (a) (plist-get a :title))
                                                (scitag-test-actions-at term)))
                           (and (member (format "Tag «%s» as protein" term) titles)
                                (not (cl-find-if (lambda (title)
                                                   (or (string-prefix-p (format "Accept «%s»" term) title)
                                                       (string-prefix-p (format "Always tag «%s»" term) title)))
                                                 titles))))))
              (scitag-test-check (scitag-test-wait gone 30)
                                 (format "%S is no longer an entity" term)
                                 titles))))))
  (error (scitag-test-check nil "the test ran to the end" (format "%S" err))))
(ignore-errors (eglot-shutdown (eglot-current-server)))
(scitag-test-finish)
;;; emacs_test.el ends here
