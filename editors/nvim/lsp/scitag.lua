-- scitag: biomedical named entities (protein, DNA, RNA, cell type, cell line) in Markdown and LaTeX.
--
-- Neovim 0.11+ picks this file up from 'runtimepath' as the config named "scitag":
--
--   vim.lsp.enable('scitag')
--
-- Override any field with vim.lsp.config('scitag', { ... }); the tables are merged, so
--   vim.lsp.config('scitag', { settings = { scitag = { confidenceThreshold = 0.6 } } })
-- changes one setting and keeps the rest.

-- Neovim names plain text "text" and plain TeX "plaintex"; the server speaks VS Code's language ids.
local language_ids = {
  text = 'plaintext',
  plaintex = 'tex',
}

---@type vim.lsp.Config
return {
  -- The server binary must be on $PATH, or give its full path:
  --   vim.lsp.config('scitag', { cmd = { '/path/to/scitag', 'lsp' } })
  cmd = { 'scitag', 'lsp' },
  filetypes = { 'markdown', 'tex', 'plaintex', 'text', 'plaintext' },
  -- A manuscript's project root; a lone file still gets a server (single-file mode).
  root_markers = { '.git', '.latexmkrc', 'latexmkrc', '.hg', '.jj' },
  get_language_id = function(_, filetype)
    return language_ids[filetype] or filetype
  end,
  -- Neovim answers the server's workspace/configuration requests for "scitag" from this table and
  -- sends it again with workspace/didChangeConfiguration when you change it.
  -- An empty table means "the server's defaults"; see editors/nvim/README.md for every key.
  settings = {
    scitag = vim.empty_dict(),
  },
}
