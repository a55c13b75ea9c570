// Every temporary folder a test file makes through tempDir() goes when the file's tests end.
import { removeTempDirs } from '../support/temp-dir.ts';

afterAll(removeTempDirs);
