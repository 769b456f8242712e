/**
 * The Electron main process: one window, locked down (contextIsolation, sandbox, no
 * Node in the page, a custom protocol with a strict CSP, navigation/new windows/
 * permissions denied), the engine in userData with interrupted runs resumed, the API
 * wired over validated IPC, and native save dialogs for exports. DESIGN.md §8.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { app, BrowserWindow, dialog, Menu, session } from 'electron';
import { createEngine, stderrLogger, type Engine } from '../engine';
import { createHandlers } from '../host/handlers';
import { forwardEvents } from './events';
import { registerIpcHandlers } from './ipc';
import { buildAppMenu } from './menu';
import { APP_URL, registerAppScheme, serveAppProtocol } from './protocol';
import { createSafeStorageSecrets } from './secrets';

const here = import.meta.dirname;
const rendererDir = join(here, '../renderer');
const preloadPath = join(here, '../preload/index.cjs');

let mainWindow: BrowserWindow | undefined;
let engine: Engine | undefined;

registerAppScheme();
app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.whenReady().then(start, (err: unknown) => {
    dialog.showErrorBox('AWE could not start', String(err));
    app.exit(1);
  });
}

// Every webContents, including any a bug might create: no navigation away from the
// app, no new windows, no <webview>.
app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event, url) => {
    if (url !== contents.getURL()) event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

async function exportFile(fileName: string, bytes: Uint8Array): Promise<string | null> {
  const options = { defaultPath: join(app.getPath('downloads'), fileName) };
  const result = mainWindow ? await dialog.showSaveDialog(mainWindow, options) : await dialog.showSaveDialog(options);
  if (result.canceled || !result.filePath) return null;
  await writeFile(result.filePath, bytes);
  return result.filePath;
}

/** The native folder dialog behind the header's Workspace button. */
async function chooseFolder(): Promise<string | null> {
  const options = { title: 'Choose the workspace folder', properties: ['openDirectory' as const, 'createDirectory' as const] };
  const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
  return result.canceled || !result.filePaths[0] ? null : result.filePaths[0];
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'AWE',
    webPreferences: {
      // The preload is reviewed: it exposes one named method per API command and
      // never ipcRenderer or a generic invoke (electron/preload.ts).
      preload: preloadPath, // eng-disable PRELOAD_JS_CHECK
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      // Middle-click would open links in new windows, bypassing the navigation guards.
      disableBlinkFeatures: 'Auxclick',
      devTools: !app.isPackaged,
    },
  });
  win.once('ready-to-show', () => win.show());
  // The page's beforeunload asks when there are unsaved changes; Electron shows no prompt
  // of its own, so ask here, and close only when the person says so.
  win.webContents.on('will-prevent-unload', (event) => {
    const choice = dialog.showMessageBoxSync(win, {
      type: 'question',
      buttons: ['Discard changes', 'Keep editing'],
      defaultId: 1,
      cancelId: 1,
      message: 'Discard unsaved changes?',
      detail: 'The workflow on the canvas has changes that are not saved.',
    });
    if (choice === 0) event.preventDefault();
  });
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = undefined;
  });
  void win.loadURL(APP_URL);
  return win;
}

async function start(): Promise<void> {
  const denyAll = session.defaultSession;
  denyAll.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  denyAll.setPermissionCheckHandler(() => false);

  const dataDir = app.getPath('userData');
  // resumeOnOpen: runs left running when the app died are picked up again here.
  // Packaged, the samples are extra resources beside the asar; in development, in resources/.
  const sampleWorkspaceDir = app.isPackaged ? join(process.resourcesPath, 'sample-workspace') : undefined;
  const opened = createEngine({ dataDir, interactive: true, resumeOnOpen: true, secrets: createSafeStorageSecrets(dataDir), sampleWorkspaceDir, logger: stderrLogger });
  engine = opened;
  serveAppProtocol(rendererDir, () => opened.teamServers.connectSources());
  registerIpcHandlers(createHandlers(opened, { exportFile, chooseFolder }), () => mainWindow?.webContents.id);
  forwardEvents(opened, () => mainWindow?.webContents);

  Menu.setApplicationMenu(buildAppMenu({ devTools: !app.isPackaged }));
  mainWindow = createWindow();

  app.on('activate', () => {
    if (!mainWindow) mainWindow = createWindow();
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let closing = false;
app.on('before-quit', (event) => {
  if (!engine || closing) return;
  // Let the engine checkpoint running nodes before the process exits.
  closing = true;
  event.preventDefault();
  engine.close().finally(() => app.quit());
});
