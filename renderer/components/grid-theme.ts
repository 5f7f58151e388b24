import { colorSchemeDark, colorSchemeLight, themeQuartz } from 'ag-grid-community';

/** AG Grid themes matching the app's palettes: dense rows (UI.md: 28-32 px), calm contrast. */
const base = themeQuartz.withParams({
  fontFamily: 'inherit',
  fontSize: 13,
  rowHeight: 30,
  headerHeight: 34,
  spacing: 5,
  wrapperBorderRadius: 0,
  wrapperBorder: false,
  headerFontWeight: 600,
  cellHorizontalPadding: 10,
});

export const gridThemes = {
  dark: base.withPart(colorSchemeDark).withParams({
    backgroundColor: '#161b22',
    foregroundColor: '#d6dde6',
    headerBackgroundColor: '#1b212a',
    oddRowBackgroundColor: '#171d25',
    borderColor: '#2a323d',
    accentColor: '#4c9aff',
    rowHoverColor: '#1f2733',
    selectedRowBackgroundColor: '#1e3350',
  }),
  light: base.withPart(colorSchemeLight).withParams({
    backgroundColor: '#ffffff',
    foregroundColor: '#1d2530',
    headerBackgroundColor: '#f3f5f8',
    oddRowBackgroundColor: '#fafbfc',
    borderColor: '#dde2e8',
    accentColor: '#1f6feb',
    rowHoverColor: '#eef3fa',
    selectedRowBackgroundColor: '#dcebff',
  }),
};
