/**
 * A setup file of the lab project (vitest runs it again before each test file): counts the test
 * files this process has loaded, for {@link assertOwnProcess}.
 */
import { FILES_IN_PROCESS, testFilesInProcess } from "./own-process.js";

(globalThis as Record<symbol, unknown>)[FILES_IN_PROCESS] = (testFilesInProcess() ?? 0) + 1;
