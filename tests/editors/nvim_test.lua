-- Headless Neovim 0.11 end-to-end test of `scitag lsp`, using exactly the files in editors/nvim.
--
-- Run through tests/editors/nvim.sh, which installs Neovim, isolates its state and passes the
-- server command:  nvim --headless --clean -l tests/editors/nvim_test.lua <server command...>
--
-- Environment:
--   SCITAG_REPO              repository root (default: the current directory)
--   SCITAG_TEST_EXPECT       "known": the model must find the entities listed below with their classes
--                            (the default model, or any model trained on JNLPBA);
--                            "any": only check that whatever the server returns is shown correctly
--                            (the random-weight tiny fixture model).
--   SCITAG_TEST_TIMEOUT_MS   how long to wait for the model to load and tag a file (default 120000)

local server_cmd = { unpack(arg) }
local repo = os.getenv('SCITAG_REPO') or vim.fn.getcwd()
local expect_known = (os.getenv('SCITAG_TEST_EXPECT') or 'known') == 'known'
local timeout_ms = tonumber(os.getenv('SCITAG_TEST_TIMEOUT_MS') or '') or 120000
local fixtures = repo .. '/tests/editors/fixtures'

local bit = require('bit')
local passed, failed = 0, 0

local function say(line)
  io.stdout:write(line, '\n')
  io.stdout:flush()
end

local function check(ok, what, detail)
  if ok then
    passed = passed + 1
    say('ok   ' .. what)
  else
    failed = failed + 1
    say('FAIL ' .. what .. (detail and ('\n     ' .. detail:gsub('\n', '\n     ')) or ''))
  end
  return ok
end

local function finish()
  say(string.format('%d passed, %d failed', passed, failed))
  os.exit(failed == 0 and 0 or 1)
end

-- A hard failure: nothing after this step can be checked.
local function abort(what, detail)
  check(false, what, detail)
  finish()
end

-- Class names from the server are camelCase ("cellType"); hovers and messages may say "cell type",
-- "cell_type" or "cellType". Compare them with case, spaces and punctuation removed.
local function squash(s)
  return (s or ''):lower():gsub('[^%w]', '')
end

---------------------------------------------------------------------------------------------------
-- Setup: the plugin files exactly as a user installs them.

say(string.format('nvim %s, server: %s, expect: %s', tostring(vim.version()), os.getenv('SCITAG_TEST_SERVER') or table.concat(server_cmd, ' '), expect_known and 'known entities' or 'any entities'))

vim.opt.runtimepath:prepend(repo .. '/editors/nvim')
vim.cmd('filetype on')
vim.cmd.runtime('plugin/scitag.lua')
vim.o.background = 'dark'
vim.o.swapfile = false

-- Messages from the plugin (vim.notify) are kept for checks instead of going to the screen.
local notifications = {}
vim.notify = function(message, level)
  table.insert(notifications, { message = message, level = level })
end

local server_exit = nil
vim.lsp.config('scitag', {
  cmd = server_cmd,
  on_exit = function(code, signal)
    server_exit = { code = code, signal = signal }
  end,
})
vim.lsp.enable('scitag')

local config = vim.lsp.config.scitag
check(
  config ~= nil
    and vim.deep_equal(config.cmd, server_cmd)
    and vim.tbl_contains(config.filetypes, 'markdown')
    and vim.tbl_contains(config.filetypes, 'tex'),
  'editors/nvim/lsp/scitag.lua is found on runtimepath and cmd is overridable',
  vim.inspect(config)
)

---------------------------------------------------------------------------------------------------
-- Helpers.

local function client_for(buf)
  return vim.lsp.get_clients({ bufnr = buf, name = 'scitag' })[1]
end

local function lines_of(buf)
  return vim.api.nvim_buf_get_lines(buf, 0, -1, false)
end

-- Decode the server's semantic tokens into { row, col, end_col (bytes), type, modifiers, text }.
local function decode(client, buf, data)
  local legend = client.server_capabilities.semanticTokensProvider.legend
  local lines = lines_of(buf)
  local tokens = {}
  local row, start = 0, 0
  for i = 1, #data, 5 do
    local delta_line, delta_start, length, type_index, mod_bits =
      data[i], data[i + 1], data[i + 2], data[i + 3], data[i + 4]
    row = row + delta_line
    start = (delta_line == 0) and (start + delta_start) or delta_start
    local line = lines[row + 1] or ''
    local col = vim.str_byteindex(line, client.offset_encoding, start, false)
    local end_col = vim.str_byteindex(line, client.offset_encoding, start + length, false)
    local modifiers = {}
    for bit_index, name in ipairs(legend.tokenModifiers) do
      if bit.band(mod_bits, bit.lshift(1, bit_index - 1)) ~= 0 then
        modifiers[name] = true
      end
    end
    table.insert(tokens, {
      row = row,
      col = col,
      end_col = end_col,
      type = legend.tokenTypes[type_index + 1],
      modifiers = modifiers,
      text = line:sub(col + 1, end_col),
    })
  end
  return tokens
end

local function request(buf, method, params, ms)
  local responses, err = vim.lsp.buf_request_sync(buf, method, params, ms or 10000)
  if not responses then
    return nil, err
  end
  local client = client_for(buf)
  local response = client and responses[client.id]
  if not response then
    return nil, 'no response'
  end
  if response.err then
    return nil, vim.inspect(response.err)
  end
  return response.result
end

local function fetch_tokens(buf)
  local result, err = request(buf, 'textDocument/semanticTokens/full', {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
  })
  if err then
    return nil, err
  end
  return decode(client_for(buf), buf, (result and result.data) or {})
end

-- Poll until the server has tagged the buffer (the model may still be loading): tokens and a
-- diagnostics publication for the current version.
local function wait_for_tokens(buf)
  local tokens, last_err
  local ok = vim.wait(timeout_ms, function()
    tokens, last_err = fetch_tokens(buf)
    return tokens ~= nil and #tokens > 0
  end, 500)
  return ok and tokens or nil, last_err
end

local function token_at(tokens, row, col)
  for _, t in ipairs(tokens) do
    if t.row == row and t.col <= col and col < t.end_col then
      return t
    end
  end
end

-- Find `needle` (plain text) in the buffer: 0-based row and byte column of its first occurrence.
local function find(buf, needle)
  for row, line in ipairs(lines_of(buf)) do
    local s = line:find(needle, 1, true)
    if s then
      return row - 1, s - 1
    end
  end
end

local function hover_text(buf, row, col)
  local line = lines_of(buf)[row + 1]
  local character = vim.str_utfindex(line, client_for(buf).offset_encoding, col, false)
  local result, err = request(buf, 'textDocument/hover', {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = row, character = character },
  })
  if err then
    return nil, err
  end
  if result == nil then
    return nil
  end
  local contents = result.contents
  if type(contents) == 'string' then
    return contents
  elseif contents.value then
    return contents.value
  end
  local parts = {}
  for _, c in ipairs(contents) do
    table.insert(parts, type(c) == 'string' and c or c.value)
  end
  return table.concat(parts, '\n')
end

local function scitag_diagnostics(buf)
  return vim.tbl_filter(function(d)
    return d.source == 'scitag'
  end, vim.diagnostic.get(buf))
end

-- Highlight groups Neovim placed at a position; the decoration provider runs on redraw.
local function hl_groups_at(buf, row, col)
  vim.cmd.redraw()
  local groups = {}
  for _, item in ipairs(vim.inspect_pos(buf, row, col).semantic_tokens) do
    groups[item.opts.hl_group] = true
  end
  return groups
end

local function wait_highlighted(buf, row, col)
  return vim.wait(10000, function()
    return #(vim.lsp.semantic_tokens.get_at_pos(buf, row, col) or {}) > 0
  end, 50)
end

local percent = '%d+%.?%d*%s?%%'

-- The first non-empty line of a hover: the class and score (runner-up classes come later).
local function headline(text)
  for line in (text or ''):gmatch('[^\n]+') do
    if line:find('%S') then
      return line
    end
  end
  return ''
end
local palette_dark_fg = {
  protein = 0xff7b72,
  dna = 0x7ee787,
  rna = 0xd2a8ff,
  cellType = 0x79c0ff,
  cellLine = 0xffa657,
}

---------------------------------------------------------------------------------------------------
-- The checks for one file.

-- Entities the default model (trained on JNLPBA) must find: a phrase in the fixture, the word to
-- probe inside it, and the class.
local known = {
  ['sample.md'] = {
    { 'glucocorticoid receptor', 'receptor', 'protein' },
    { 'NF-kappa B', 'NF', 'protein' },
    { 'human T cells', 'T cells', 'cellType' },
    { 'Jurkat cells', 'Jurkat', 'cellLine' },
    { 'c-fos mRNA', 'mRNA', 'rna' },
    { 'peripheral blood monocytes', 'monocytes', 'cellType' },
  },
  ['sample.tex'] = {
    { 'glucocorticoid receptor', 'glucocorticoid', 'protein' },
    { 'IL-2 promoter', 'promoter', 'dna' },
    { 'human T cells', 'cells', 'cellType' },
    { 'HeLa cells', 'HeLa', 'cellLine' },
  },
}

-- Text that is not prose: the server must never tag it, whatever the model. (Math is prose to
-- scitag: `NF-$\kappa$B` must read as NF-κB, so a model may tag it.)
local not_prose = {
  ['sample.md'] = { 'receptor = load("IL-2 promoter")' },
  ['sample.tex'] = { 'smith2020receptor', '\\documentclass{article}' },
}

local function check_file(name, filetype)
  local path = fixtures .. '/' .. name
  vim.cmd.edit(vim.fn.fnameescape(path))
  local buf = vim.api.nvim_get_current_buf()
  check(vim.bo[buf].filetype == filetype, name .. ': filetype is ' .. filetype, vim.bo[buf].filetype)

  local attached = vim.wait(20000, function()
    local client = client_for(buf)
    return client ~= nil and client.initialized
  end, 50)
  if not attached then
    abort(name .. ': the scitag server attached', 'no initialized client after 20 s; server: ' .. table.concat(server_cmd, ' '))
  end
  check(true, name .. ': the scitag server attached')
  local client = client_for(buf)

  local started = vim.uv.hrtime()
  local tokens, err = wait_for_tokens(buf)
  if not tokens then
    local status = request(buf, 'scitag/status', nil)
    local model = type(status) == 'table' and status.model or {}
    abort(
      name .. ': semantic tokens arrived',
      string.format(
        'none within %d ms (SCITAG_TEST_TIMEOUT_MS); last error: %s; model %s: %s %s',
        timeout_ms,
        tostring(err),
        tostring(model.name),
        tostring(model.state),
        model.error ~= vim.NIL and tostring(model.error or '') or ''
      )
    )
  end
  check(true, string.format('%s: %d semantic tokens arrived after %.1f s', name, #tokens, (vim.uv.hrtime() - started) / 1e9))

  -- Every token has a class from the legend and is highlighted with its class's group.
  local legend_types = client.server_capabilities.semanticTokensProvider.legend.tokenTypes
  local bad = {}
  for _, t in ipairs(tokens) do
    if not vim.tbl_contains(legend_types, t.type) or t.end_col <= t.col then
      table.insert(bad, vim.inspect(t))
    end
  end
  check(#bad == 0, name .. ': every token has a legend type and a non-empty range', table.concat(bad, '\n'))

  local first = tokens[1]
  wait_highlighted(buf, first.row, first.col)
  local unhighlighted = {}
  for _, t in ipairs(tokens) do
    local at = vim.lsp.semantic_tokens.get_at_pos(buf, t.row, t.col) or {}
    local group = '@lsp.type.' .. t.type .. '.' .. filetype
    local groups = hl_groups_at(buf, t.row, t.col)
    if not (at[1] and at[1].type == t.type and groups[group]) then
      table.insert(unhighlighted, string.format('%q at %d:%d: expected %s, got %s', t.text, t.row, t.col, group, vim.inspect(vim.tbl_keys(groups))))
    end
  end
  check(#unhighlighted == 0, string.format('%s: all %d tokens carry their @lsp.type.<class>.%s highlight', name, #tokens, filetype), table.concat(unhighlighted, '\n'))

  -- The plugin's colours reach the filetype-specific groups.
  local wrong_colour = {}
  for _, t in ipairs(tokens) do
    local expected = palette_dark_fg[t.type]
    local got = vim.api.nvim_get_hl(0, { name = '@lsp.type.' .. t.type .. '.' .. filetype, link = false }).fg
    if expected and got ~= expected then
      table.insert(wrong_colour, string.format('%s: expected #%06x, got %s', t.type, expected, got and string.format('#%06x', got) or 'nil'))
    end
  end
  check(#wrong_colour == 0, name .. ': highlight colours come from editors/nvim/plugin/scitag.lua', table.concat(wrong_colour, '\n'))

  -- Known entities, with the default model.
  if expect_known then
    for _, entry in ipairs(known[name]) do
      local phrase, probe, class = entry[1], entry[2], entry[3]
      local row, col = find(buf, phrase)
      local probe_col = col and (col + phrase:find(probe, 1, true) - 1)
      local t = row and token_at(tokens, row, probe_col)
      local groups = row and hl_groups_at(buf, row, probe_col) or {}
      check(
        t ~= nil and t.type == class and groups['@lsp.type.' .. class .. '.' .. filetype],
        string.format('%s: "%s" is highlighted as %s', name, phrase, class),
        t and string.format('token %q has class %s', t.text, t.type) or 'no token there'
      )
    end
    local row = find(buf, 'We thank the reviewers')
    local on_plain = vim.tbl_filter(function(t)
      return t.row == row
    end, tokens)
    check(#on_plain == 0, name .. ': no entity in "We thank the reviewers for their comments."', vim.inspect(on_plain))
  end

  -- Code, citation keys, math and commands are not prose.
  for _, text in ipairs(not_prose[name]) do
    local row, col = find(buf, text)
    local inside = {}
    for _, t in ipairs(tokens) do
      if t.row == row and t.col < col + #text and t.end_col > col then
        table.insert(inside, t.text)
      end
    end
    check(row ~= nil and #inside == 0, string.format('%s: nothing tagged in %s', name, text), vim.inspect(inside))
  end

  -- Hover on an entity: its class and score; nothing outside entities.
  local probe = first
  if expect_known then
    local row, col = find(buf, 'glucocorticoid receptor')
    probe = token_at(tokens, row, col + 15) or probe
  end
  local text, hover_err = hover_text(buf, probe.row, probe.col)
  check(
    text ~= nil and squash(headline(text)):find(squash(probe.type), 1, true) ~= nil and headline(text):find(percent) ~= nil,
    string.format('%s: hover on "%s" names the class %s and a score in %%', name, probe.text, probe.type),
    tostring(text or hover_err)
  )
  local row, col = find(buf, not_prose[name][1])
  local nothing, nothing_err = hover_text(buf, row, col + 1)
  check(nothing == nil and nothing_err == nil, name .. ': no hover outside entities', tostring(nothing or nothing_err))

  -- The hover as the user sees it: a floating window.
  vim.api.nvim_win_set_cursor(0, { probe.row + 1, probe.col })
  vim.lsp.buf.hover()
  local float_lines
  vim.wait(5000, function()
    for _, win in ipairs(vim.api.nvim_list_wins()) do
      if vim.api.nvim_win_get_config(win).relative ~= '' then
        float_lines = vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(win), 0, -1, false)
        return true
      end
    end
  end, 20)
  local float_text = float_lines and table.concat(float_lines, '\n') or ''
  check(squash(headline(float_text)):find(squash(probe.type), 1, true) ~= nil, name .. ': K shows the hover in a float', float_text)
  pcall(vim.cmd, 'fclose!')

  -- :ScitagToggleHighlights removes the colours and brings them back.
  vim.cmd('ScitagToggleHighlights')
  local gone = vim.wait(5000, function()
    return #(vim.lsp.semantic_tokens.get_at_pos(buf, first.row, first.col) or {}) == 0
  end, 20)
  vim.cmd('ScitagToggleHighlights')
  local back = wait_highlighted(buf, first.row, first.col)
  check(
    gone and back and notifications[#notifications].message:find('highlighting on', 1, true) ~= nil,
    name .. ': :ScitagToggleHighlights turns the colours off and on again',
    vim.inspect(notifications)
  )

  -- Diagnostics published with the default settings agree with the lowConfidence modifier.
  local mismatched = {}
  for _, d in ipairs(scitag_diagnostics(buf)) do
    local t = token_at(tokens, d.lnum, d.col)
    if d.code ~= 'low-confidence' or not (t and t.modifiers.lowConfidence) then
      table.insert(mismatched, vim.inspect({ d.lnum, d.col, d.code, d.message }))
    end
  end
  check(#mismatched == 0, name .. ': every scitag diagnostic marks a lowConfidence token', table.concat(mismatched, '\n'))

  return buf, tokens
end

---------------------------------------------------------------------------------------------------
-- The outline (textDocument/documentSymbol): the file's heading at the top, and under it the
-- entities by class, each with its mention count; every highlighted mention is counted once. Then
-- the same answer through Neovim's own conversion (what vim.lsp.buf.document_symbol() and symbol
-- pickers list).
local expected_heading = {
  ['sample.md'] = 'Glucocorticoid signalling in lymphocytes',
  ['sample.tex'] = 'Results',
}

local function check_outline(buf, name, tokens)
  local symbols, err = request(buf, 'textDocument/documentSymbol', {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
  })
  if not check(type(symbols) == 'table' and #symbols > 0, name .. ': documentSymbol answers an outline', tostring(err)) then
    return
  end
  local heading
  for _, symbol in ipairs(symbols) do
    if symbol.kind == vim.lsp.protocol.SymbolKind.Module and symbol.name == expected_heading[name] then
      heading = symbol
    end
  end
  if not check(heading ~= nil, name .. ': the outline holds the heading "' .. expected_heading[name] .. '" (Module)', vim.inspect(symbols)) then
    return
  end
  local mentions, entities, bad = 0, {}, {}
  local function walk(list)
    for _, symbol in ipairs(list or {}) do
      if symbol.kind == vim.lsp.protocol.SymbolKind.Constant then
        local count = tonumber((symbol.detail or ''):match('^(%d+) mentions?$'))
        if not count then
          table.insert(bad, vim.inspect(symbol))
        end
        mentions = mentions + (count or 0)
        entities[symbol.name] = true
      elseif symbol.kind == vim.lsp.protocol.SymbolKind.Class then
        if not symbol.name:match('^.+ %(%d+%)$') then
          table.insert(bad, 'class ' .. symbol.name)
        end
      end
      walk(symbol.children)
    end
  end
  walk(symbols)
  check(#bad == 0 and mentions == #tokens, string.format('%s: the outline counts all %d highlighted mentions under their classes (%d)', name, #tokens, mentions), table.concat(bad, '\n'))
  if expect_known then
    local missing = {}
    for _, entity in ipairs(known[name] or {}) do
      local listed = false
      for entity_name in pairs(entities) do
        listed = listed or entity_name:find(entity[2], 1, true) ~= nil
      end
      if not listed then
        table.insert(missing, entity[1])
      end
    end
    check(#missing == 0, name .. ': the outline lists an entity for each known mention', 'missing: ' .. table.concat(missing, ', ') .. '\n' .. vim.inspect(vim.tbl_keys(entities)))
  end
  local items = vim.lsp.util.symbols_to_items(symbols, buf, client_for(buf).offset_encoding)
  local kinds = {}
  for _, item in ipairs(items) do
    kinds[item.kind] = (kinds[item.kind] or 0) + 1
  end
  check(
    kinds.Module ~= nil and kinds.Class ~= nil and kinds.Constant ~= nil and items[1].lnum >= 1,
    name .. ': Neovim lists the outline as Module, Class and Constant items',
    vim.inspect(items)
  )
end

-- Settings: a threshold above every score turns every entity into a low-confidence diagnostic.

local function set_settings(buf, settings)
  local client = client_for(buf)
  client.settings = settings
  client:notify('workspace/didChangeConfiguration', { settings = client.settings })
end

local function check_low_confidence(buf, name, filetype)
  local original = vim.deepcopy(client_for(buf).settings)
  local function with(changes)
    return vim.tbl_deep_extend('force', vim.deepcopy(original), { scitag = changes })
  end
  set_settings(buf, with({ confidenceThreshold = 1.0, diagnosticSeverity = 'warning' }))
  local diagnostics = {}
  local arrived = vim.wait(timeout_ms, function()
    diagnostics = scitag_diagnostics(buf)
    return #diagnostics > 0 and diagnostics[1].severity == vim.diagnostic.severity.WARN
  end, 100)
  local d = diagnostics[1]
  check(
    arrived and d.code == 'low-confidence',
    name .. ': confidenceThreshold = 1.0 gives low-confidence warnings (source scitag, code low-confidence)',
    vim.inspect(diagnostics)
  )
  if not d then
    set_settings(buf, original)
    return
  end
  local tokens = fetch_tokens(buf) or {}
  local t = token_at(tokens, d.lnum, d.col)
  check(
    -- The message may go on with the runner-up class: look for the class before it.
    t ~= nil and squash(d.message:lower():match('^(.-)runner') or d.message):find(squash(t.type), 1, true) ~= nil and d.message:find(percent) ~= nil,
    name .. ': the diagnostic message names the class and the score',
    d.message .. ' / token ' .. vim.inspect(t)
  )
  local modded = t and t.modifiers.lowConfidence
  check(modded, name .. ': the token under the diagnostic has the lowConfidence modifier', vim.inspect(t))
  if modded then
    vim.wait(5000, function()
      return hl_groups_at(buf, t.row, t.col)['@lsp.mod.lowConfidence.' .. filetype] ~= nil
    end, 50)
    local groups = hl_groups_at(buf, t.row, t.col)
    local attrs = vim.api.nvim_get_hl(0, { name = '@lsp.mod.lowConfidence.' .. filetype, link = false })
    check(
      groups['@lsp.mod.lowConfidence.' .. filetype] and attrs.underdotted == true,
      name .. ': low-confidence entities get the dotted underline of @lsp.mod.lowConfidence',
      vim.inspect(vim.tbl_keys(groups)) .. ' ' .. vim.inspect(attrs)
    )
  end

  set_settings(buf, with({ confidenceThreshold = 1.0, diagnosticSeverity = 'off' }))
  local cleared = vim.wait(timeout_ms, function()
    return #scitag_diagnostics(buf) == 0
  end, 100)
  check(cleared, name .. ': diagnosticSeverity = "off" clears the diagnostics', vim.inspect(scitag_diagnostics(buf)))

  set_settings(buf, original)
end

---------------------------------------------------------------------------------------------------
-- An edit: a new paragraph gets tagged, the others keep their tokens.

local function check_edit(buf, name, tokens_before)
  local line_count = vim.api.nvim_buf_line_count(buf)
  -- A copy of a tagged paragraph must get the same entities (any model), and a new sentence with a
  -- known entity must be tagged (the default model).
  local copied = tokens_before[1].row
  local copy_text = vim.api.nvim_buf_get_lines(buf, copied, copied + 1, false)[1]
  vim.api.nvim_buf_set_lines(buf, -1, -1, false, { '', copy_text, '', 'The IL-2 promoter was cloned from Jurkat cells.' })
  local copy_row, new_row = line_count + 1, line_count + 3
  local tokens = {}
  local function on_row(row)
    return vim.tbl_filter(function(t)
      return t.row == row
    end, tokens)
  end
  local tagged = vim.wait(timeout_ms, function()
    tokens = fetch_tokens(buf) or {}
    return #on_row(copy_row) > 0 and (not expect_known or #on_row(new_row) > 0)
  end, 200)
  local function spans(list)
    return vim.tbl_map(function(t)
      return string.format('%d-%d %s', t.col, t.end_col, t.type)
    end, list)
  end
  check(
    tagged and vim.deep_equal(spans(on_row(copy_row)), spans(on_row(copied))),
    name .. ': a pasted copy of a paragraph gets the same entities',
    vim.inspect({ original = spans(on_row(copied)), copy = spans(on_row(copy_row)) })
  )
  local old = vim.tbl_filter(function(t)
    return t.row < line_count
  end, tokens)
  check(vim.deep_equal(spans(old), spans(tokens_before)) and #old == #tokens_before, name .. ': the paragraphs above the edit keep their tokens', vim.inspect({ before = spans(tokens_before), after = spans(old) }))
  if expect_known then
    local col = vim.api.nvim_buf_get_lines(buf, new_row, new_row + 1, false)[1]:find('promoter', 1, true) - 1
    local t = token_at(tokens, new_row, col)
    check(t ~= nil and t.type == 'dna', name .. ': the appended "IL-2 promoter" is tagged dna', vim.inspect(t))
  end
end

-- A glossary code action, as a user applies it: on a copy of the fixture in a fresh folder, pick
-- "Ignore «term» in this project" on the first highlight, let Neovim apply the WorkspaceEdit (it
-- creates scitag.toml in a buffer), write that buffer, type one character, and the term loses its
-- highlight everywhere.
local function check_glossary_action()
  local dir = vim.fn.tempname()
  vim.fn.mkdir(dir, 'p')
  local path = dir .. '/paper.md'
  vim.fn.writefile(vim.fn.readfile(fixtures .. '/sample.md'), path)
  vim.cmd.edit(vim.fn.fnameescape(path))
  local buf = vim.api.nvim_get_current_buf()
  local tokens = wait_for_tokens(buf)
  if not tokens then
    abort('glossary: tokens in the copied manuscript', 'none')
  end
  local first = tokens[1]
  local client = client_for(buf)
  local line = lines_of(buf)[first.row + 1]
  local range = {
    start = { line = first.row, character = vim.str_utfindex(line, client.offset_encoding, first.col, false) },
    ['end'] = { line = first.row, character = vim.str_utfindex(line, client.offset_encoding, first.end_col, false) },
  }
  local actions = request(buf, 'textDocument/codeAction', {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = range,
    context = { diagnostics = {} },
  }) or {}
  local title = 'Ignore «' .. first.text .. '» in this project'
  local ignore
  for _, action in ipairs(actions) do
    if action.title == title then
      ignore = action
    end
  end
  if not ignore then
    abort('glossary: the code action "' .. title .. '" is offered', vim.inspect(vim.tbl_map(function(a) return a.title end, actions)))
  end
  check(true, 'glossary: "' .. title .. '" is offered')
  local glossary = dir .. '/scitag.toml'
  check(vim.fn.filereadable(glossary) == 0, 'glossary: the code action itself writes nothing')
  vim.lsp.util.apply_workspace_edit(ignore.edit, client.offset_encoding)
  local toml = vim.fn.bufnr(glossary)
  check(toml ~= -1, 'glossary: Neovim opened scitag.toml from the WorkspaceEdit', glossary)
  vim.api.nvim_buf_call(toml, function()
    vim.cmd('silent write')
  end)
  local written = table.concat(vim.fn.readfile(glossary), '\n')
  check(written:find(first.text, 1, true) ~= nil, 'glossary: scitag.toml lists the term after :write', written)
  -- any edit makes the server analyse again; it sees the new glossary (modification time)
  vim.api.nvim_set_current_buf(buf)
  vim.api.nvim_buf_set_lines(buf, -1, -1, false, { '' })
  local gone = vim.wait(timeout_ms, function()
    local now = fetch_tokens(buf)
    if not now or #now == 0 then
      return false
    end
    for _, t in ipairs(now) do
      if t.text == first.text then
        return false
      end
    end
    return true
  end, 200)
  check(gone, 'glossary: "' .. first.text .. '" is no longer highlighted anywhere')
end

---------------------------------------------------------------------------------------------------

local ok, err = xpcall(function()
  local md_buf, md_tokens = check_file('sample.md', 'markdown')
  check_outline(md_buf, 'sample.md', md_tokens)
  check_low_confidence(md_buf, 'sample.md', 'markdown')
  check_edit(md_buf, 'sample.md', md_tokens)

  local tex_buf, tex_tokens = check_file('sample.tex', 'tex')
  check_outline(tex_buf, 'sample.tex', tex_tokens)
  check(#vim.lsp.get_clients({ name = 'scitag' }) == 1, 'sample.tex reuses the running server (one client)')

  check_glossary_action()

  local status = request(tex_buf, 'scitag/status', nil)
  check(type(status) == 'table', 'scitag/status answers with the server state', vim.inspect(status))
  vim.cmd('ScitagStatus')
  local shown = vim.wait(5000, function()
    local last = notifications[#notifications]
    return last ~= nil and last.message:find('scitag status', 1, true) ~= nil
  end, 20)
  check(shown, ':ScitagStatus shows the server state', vim.inspect(notifications[#notifications]))

  -- The light palette follows 'background', and the groups survive :colorscheme.
  vim.o.background = 'light'
  check(vim.api.nvim_get_hl(0, { name = '@lsp.type.protein', link = false }).fg == 0xcf222e, "background=light switches to the light palette")
  vim.cmd.colorscheme('default')
  check(next(vim.api.nvim_get_hl(0, { name = '@lsp.type.protein', create = false })) ~= nil, 'the highlight groups are re-applied after :colorscheme')
  -- A colour scheme (or the user) that defines a group wins over the plugin's default.
  vim.api.nvim_set_hl(0, '@lsp.type.protein', { fg = '#123456' })
  vim.api.nvim_exec_autocmds('ColorScheme', { pattern = 'mytheme' })
  check(vim.api.nvim_get_hl(0, { name = '@lsp.type.protein', link = false }).fg == 0x123456, "a colour scheme's own colour for @lsp.type.protein is kept")

  -- Shutting down ends the server cleanly.
  vim.lsp.stop_client(vim.lsp.get_clients({ name = 'scitag' }))
  local stopped = vim.wait(10000, function()
    return server_exit ~= nil
  end, 50)
  check(stopped and server_exit.code == 0 and server_exit.signal == 0, 'the server shuts down cleanly (exit code 0)', vim.inspect(server_exit))
end, debug.traceback)
check(ok, 'the test script ran to the end', tostring(err))

finish()
