-- scitag: highlight groups for the entity classes the scitag language server reports as semantic
-- tokens, readable on dark and light backgrounds, plus a :ScitagStatus command.
--
-- Neovim highlights a token of type T in a buffer of filetype F with `@lsp.type.T.F`, which falls
-- back to `@lsp.type.T`; the `lowConfidence` modifier adds `@lsp.mod.lowConfidence`. We define the
-- unqualified groups only, and only while nobody else has: a colour scheme or your config that sets
-- one of these groups wins, and ours come back after `:colorscheme` or a change of 'background'.

if vim.g.loaded_scitag then
  return
end
vim.g.loaded_scitag = true

-- Colours picked for contrast of at least 4.5:1 against typical backgrounds (GitHub's palettes:
-- #0d1117 dark, #ffffff light); the styles differ too, so the classes stay apart without colour.
local palettes = {
  dark = {
    ['@lsp.type.protein'] = { fg = '#ff7b72', ctermfg = 203, bold = true },
    ['@lsp.type.dna'] = { fg = '#7ee787', ctermfg = 114 },
    ['@lsp.type.rna'] = { fg = '#d2a8ff', ctermfg = 183 },
    ['@lsp.type.cellType'] = { fg = '#79c0ff', ctermfg = 117, italic = true },
    ['@lsp.type.cellLine'] = { fg = '#ffa657', ctermfg = 215, italic = true },
    ['@lsp.type.chemical'] = { fg = '#39c5cf', ctermfg = 80 },
    ['@lsp.type.disease'] = { fg = '#f69d50', ctermfg = 209, underline = true },
    ['@lsp.type.species'] = { fg = '#adbac7', ctermfg = 250, italic = true },
    ['@lsp.mod.lowConfidence'] = { underdotted = true, sp = '#8b949e' },
  },
  light = {
    ['@lsp.type.protein'] = { fg = '#cf222e', ctermfg = 160, bold = true },
    ['@lsp.type.dna'] = { fg = '#116329', ctermfg = 28 },
    ['@lsp.type.rna'] = { fg = '#8250df', ctermfg = 97 },
    ['@lsp.type.cellType'] = { fg = '#0550ae', ctermfg = 25, italic = true },
    ['@lsp.type.cellLine'] = { fg = '#953800', ctermfg = 130, italic = true },
    ['@lsp.type.chemical'] = { fg = '#0a7b83', ctermfg = 30 },
    ['@lsp.type.disease'] = { fg = '#bc4c00', ctermfg = 166, underline = true },
    ['@lsp.type.species'] = { fg = '#57606a', ctermfg = 242, italic = true },
    ['@lsp.mod.lowConfidence'] = { underdotted = true, sp = '#6e7781' },
  },
}

-- What each group looked like right after we last set it, to tell our definition from someone else's.
local applied = {}

local function current(name)
  return vim.api.nvim_get_hl(0, { name = name, create = false })
end

local function apply()
  local palette = palettes[vim.o.background == 'light' and 'light' or 'dark']
  for name, spec in pairs(palette) do
    local now = current(name)
    if next(now) == nil or (applied[name] ~= nil and vim.deep_equal(now, applied[name])) then
      vim.api.nvim_set_hl(0, name, spec)
      applied[name] = current(name)
    end
  end
end

apply()

local group = vim.api.nvim_create_augroup('scitag_highlights', { clear = true })
vim.api.nvim_create_autocmd('ColorScheme', {
  group = group,
  desc = 'scitag: re-apply entity highlight groups',
  callback = apply,
})
vim.api.nvim_create_autocmd('OptionSet', {
  group = group,
  pattern = 'background',
  desc = 'scitag: switch entity colours between light and dark',
  callback = apply,
})

-- :ScitagStatus shows the model, its state and the server's counters (the `scitag/status` request).
vim.api.nvim_create_user_command('ScitagStatus', function()
  local clients = vim.lsp.get_clients({ name = 'scitag' })
  if #clients == 0 then
    vim.notify('scitag: no server is running (see :checkhealth vim.lsp)', vim.log.levels.WARN)
    return
  end
  clients[1]:request('scitag/status', nil, function(err, result)
    if err then
      vim.notify('scitag: status request failed: ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      return
    end
    vim.notify('scitag status\n' .. vim.inspect(result), vim.log.levels.INFO)
  end)
end, { desc = 'Show the scitag model, its state and the server counters' })

-- :ScitagToggleHighlights turns entity colours off and on in the current buffer; hovers and
-- diagnostics stay.
vim.api.nvim_create_user_command('ScitagToggleHighlights', function()
  local buf = vim.api.nvim_get_current_buf()
  local off = not vim.b[buf].scitag_highlights_off
  for _, client in ipairs(vim.lsp.get_clients({ bufnr = buf, name = 'scitag' })) do
    if off then
      vim.lsp.semantic_tokens.stop(buf, client.id)
    else
      vim.lsp.semantic_tokens.start(buf, client.id)
    end
  end
  vim.b[buf].scitag_highlights_off = off
  vim.notify('scitag: entity highlighting ' .. (off and 'off' or 'on') .. ' in this buffer')
end, { desc = 'Toggle scitag entity colours in the current buffer' })
