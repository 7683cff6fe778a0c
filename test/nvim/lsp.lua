-- Headless Neovim (0.7.2, Debian's) as an LSP client of symcheck-server: what a Neovim user sees.
-- Run by test/nvim/run.ts with SYMCHECK_SERVER (bin/symcheck-server.js), SYMCHECK_WORKSPACE and
-- SYMCHECK_SPEC (a spec whose claim names the misspelled symmetry `shfit`).
-- Prints one line per test and `nvim: N passed, N failed`; the exit code is the failure count.
local server = assert(os.getenv("SYMCHECK_SERVER"), "SYMCHECK_SERVER is not set")
local workspace = assert(os.getenv("SYMCHECK_WORKSPACE"), "SYMCHECK_WORKSPACE is not set")
local spec = assert(os.getenv("SYMCHECK_SPEC"), "SYMCHECK_SPEC is not set")
local timeout_ms = 15000

local passed, failed = 0, 0
local function check(name, body)
  local started = vim.loop.hrtime()
  local ok, err = pcall(body)
  local ms = math.floor((vim.loop.hrtime() - started) / 1e6)
  if ok then
    passed = passed + 1
    io.write(string.format("ok   %s (%d ms)\n", name, ms))
  else
    failed = failed + 1
    io.write(string.format("FAIL %s (%d ms)\n       %s\n", name, ms, tostring(err)))
  end
end

local function wait_for(what, condition)
  if not vim.wait(timeout_ms, condition, 50) then
    error("timed out after " .. timeout_ms .. " ms waiting for " .. what, 2)
  end
end

-- The 0-based line of the first buffer line matching a Lua pattern.
local function line_of(buf, pattern)
  for index, text in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    if text:find(pattern) then return index - 1, text end
  end
  error("no line matches " .. pattern, 2)
end

local function describe(diagnostics)
  local parts = {}
  for _, d in ipairs(diagnostics) do
    table.insert(parts, string.format("%s at %d:%d: %s", vim.diagnostic.severity[d.severity], d.lnum + 1, d.col + 1, d.message))
  end
  return #parts == 0 and "(none)" or table.concat(parts, " | ")
end

local client_id = vim.lsp.start_client({
  name = "symcheck",
  cmd = { "node", server, "--stdio" },
  root_dir = workspace,
})
vim.cmd("edit " .. vim.fn.fnameescape(spec))
local buf = vim.api.nvim_get_current_buf()
vim.bo[buf].filetype = "symmetry"

check("the server starts and the spec's buffer attaches", function()
  assert(client_id, "vim.lsp.start_client returned nil")
  assert(vim.lsp.buf_attach_client(buf, client_id), "buf_attach_client failed")
  wait_for("initialize", function()
    local client = vim.lsp.get_client_by_id(client_id)
    return client ~= nil and client.initialized
  end)
end)

check("the misspelled symmetry arrives as an error diagnostic on its line", function()
  wait_for("diagnostics", function() return #vim.diagnostic.get(buf) > 0 end)
  local diagnostics = vim.diagnostic.get(buf)
  local errors = vim.diagnostic.get(buf, { severity = vim.diagnostic.severity.ERROR })
  assert(#errors == 1, "one error expected, got: " .. describe(diagnostics))
  local line, text = line_of(buf, "under shfit")
  local error = errors[1]
  assert(error.lnum == line, "the error should be on line " .. (line + 1) .. ": " .. describe(errors))
  assert(error.col == text:find("shfit") - 1 and error.end_col == error.col + #"shfit",
    "the error should span `shfit`: " .. describe(errors))
  assert(error.message:find("shfit") and error.message:find("shift"), "message should name shfit and suggest shift: " .. error.message)
end)

check("hovering a tensor name shows its model type", function()
  local line, text = line_of(buf, "^input%s+image")
  local params = {
    textDocument = vim.lsp.util.make_text_document_params(buf),
    position = { line = line, character = text:find("image") + 1 },
  }
  local response, err = vim.lsp.buf_request_sync(buf, "textDocument/hover", params, timeout_ms)
  assert(response, "no hover response: " .. tostring(err))
  local answer = response[client_id]
  assert(answer and answer.result, "empty hover: " .. vim.inspect(answer))
  local lines = vim.lsp.util.convert_input_to_markdown_lines(answer.result.contents)
  local hover = table.concat(lines, "\n")
  assert(hover:find("image") and hover:find("16"), "the hover should show image's dimensions: " .. hover)
end)

check("fixing the line in the buffer clears the error", function()
  local line, text = line_of(buf, "under shfit")
  vim.api.nvim_buf_set_lines(buf, line, line + 1, false, { (text:gsub("shfit", "shift")) })
  wait_for("the diagnostics to clear", function() return #vim.diagnostic.get(buf) == 0 end)
end)

vim.lsp.stop_client(client_id)
vim.wait(2000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 50)
io.write(string.format("nvim: %d passed, %d failed\n", passed, failed))
os.exit(failed)
